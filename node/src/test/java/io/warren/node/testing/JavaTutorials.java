package io.warren.node.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The six RabbitMQ tutorials as taught for the RabbitMQ Java client, plus a headers-exchange example, each
 * asserting what it received. Publishers connect with one factory and consumers with the other, so the
 * same scenarios run against one node (both factories alike) and across a cluster (publisher on node 1,
 * consumer on node 2). Every wait is bounded by a deadline; none is a bare sleep.
 */
public final class JavaTutorials {
    private static final long WAIT_SECONDS = 30;

    private final ConnectionFactory publisherSide;
    private final ConnectionFactory consumerSide;

    public JavaTutorials(ConnectionFactory publisherSide, ConnectionFactory consumerSide) {
        this.publisherSide = publisherSide;
        this.consumerSide = consumerSide;
    }

    public void helloWorld() throws Exception {
        try (Connection sender = publisherSide.newConnection(); Channel ch = sender.createChannel()) {
            ch.queueDeclare("hello-java", false, false, false, null);
            ch.basicPublish("", "hello-java", null, bytes("Hello World!"));
        }
        try (Connection receiver = consumerSide.newConnection(); Channel ch = receiver.createChannel()) {
            ch.queueDeclare("hello-java", false, false, false, null);
            Inbox inbox = Inbox.consume(ch, "hello-java", true);
            Delivery delivery = inbox.next();
            assertEquals("Hello World!", text(delivery));
            assertEquals("hello-java", delivery.getEnvelope().getRoutingKey());
            inbox.assertNothingMore();
        }
    }

    /** Manual acks, prefetch 1 fair dispatch, and redelivery of a dead worker's unacked task. */
    public void workQueues() throws Exception {
        publishTasks("task_queue_java", 10);
        Connection busy = consumerSide.newConnection();
        try (Connection free = consumerSide.newConnection()) {
            Channel busyChannel = busy.createChannel();
            busyChannel.basicQos(1);
            Inbox busyInbox = Inbox.consume(busyChannel, "task_queue_java", false);
            Delivery held = busyInbox.next();

            Channel freeChannel = free.createChannel();
            freeChannel.basicQos(1);
            Inbox freeInbox = Inbox.consume(freeChannel, "task_queue_java", false);
            List<String> done = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                Delivery task = freeInbox.next();
                done.add(text(task));
                freeChannel.basicAck(task.getEnvelope().getDeliveryTag(), false);
            }
            assertFalse(done.contains(text(held)), "prefetch 1: the busy worker's task went nowhere else");
            busyInbox.assertNothingMore();

            busy.close(); // dies without acking
            Delivery redelivered = freeInbox.next();
            assertEquals(text(held), text(redelivered));
            assertTrue(redelivered.getEnvelope().isRedeliver(), "the redelivered flag");
            freeChannel.basicAck(redelivered.getEnvelope().getDeliveryTag(), false);
            assertEquals(0, freeChannel.queueDeclarePassive("task_queue_java").getMessageCount());
        } finally {
            busy.abort();
        }
    }

    /** The first half of the durable work queue: ten persistent tasks, confirmed. */
    public void publishTasks(String queue, int count) throws Exception {
        try (Connection connection = publisherSide.newConnection(); Channel ch = connection.createChannel()) {
            ch.queueDeclare(queue, true, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < count; i++) {
                ch.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, bytes("task " + i));
            }
            ch.waitForConfirmsOrDie(WAIT_SECONDS * 1000);
        }
    }

    /** The second half, after a restart: the ten tasks are there, in order, still persistent. */
    public void consumeTasksAfterRestart(String queue, int count) throws Exception {
        try (Connection connection = consumerSide.newConnection(); Channel ch = connection.createChannel()) {
            assertEquals(count, ch.queueDeclare(queue, true, false, false, null).getMessageCount());
            Inbox inbox = Inbox.consume(ch, queue, false);
            for (int i = 0; i < count; i++) {
                Delivery task = inbox.next();
                assertEquals("task " + i, text(task));
                assertEquals(2, task.getProperties().getDeliveryMode());
                ch.basicAck(task.getEnvelope().getDeliveryTag(), false);
            }
            assertEquals(0, ch.queueDeclarePassive(queue).getMessageCount());
        }
    }

    public void publishSubscribe() throws Exception {
        Connection subscriber = consumerSide.newConnection();
        try {
            Channel ch = subscriber.createChannel();
            ch.exchangeDeclare("logs_java", BuiltinExchangeType.FANOUT);
            List<Inbox> inboxes = new ArrayList<>();
            List<String> queues = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String queue = ch.queueDeclare().getQueue();
                assertTrue(queue.startsWith("amq.gen-"), queue);
                ch.queueBind(queue, "logs_java", "");
                queues.add(queue);
                inboxes.add(Inbox.consume(ch, queue, true));
            }
            assertEquals(405, closeCode(() -> {
                try (Connection other = consumerSide.newConnection()) {
                    other.createChannel().queueDeclarePassive(queues.get(0));
                }
            }), "an exclusive queue is locked to its connection");
            try (Connection publisher = publisherSide.newConnection(); Channel pch = publisher.createChannel()) {
                for (int i = 0; i < 3; i++) {
                    pch.basicPublish("logs_java", "", null, bytes("log " + i));
                }
            }
            for (Inbox inbox : inboxes) {
                assertEquals(List.of("log 0", "log 1", "log 2"), inbox.texts(3));
            }
            subscriber.close();
            assertEquals(404, closeCode(() -> {
                try (Connection check = consumerSide.newConnection()) {
                    check.createChannel().queueDeclarePassive(queues.get(0));
                }
            }), "an exclusive queue goes with its connection");
        } finally {
            subscriber.abort();
        }
    }

    public void routing() throws Exception {
        try (Connection consumer = consumerSide.newConnection(); Channel ch = consumer.createChannel();
                Connection publisher = publisherSide.newConnection(); Channel pch = publisher.createChannel()) {
            ch.exchangeDeclare("direct_logs_java", BuiltinExchangeType.DIRECT);
            String errors = ch.queueDeclare().getQueue();
            String everything = ch.queueDeclare().getQueue();
            ch.queueBind(errors, "direct_logs_java", "error");
            for (String severity : List.of("info", "warning", "error")) {
                ch.queueBind(everything, "direct_logs_java", severity);
            }
            ch.queueBind(errors, "direct_logs_java", "black");
            ch.queueBind(everything, "direct_logs_java", "black");
            Inbox errorInbox = Inbox.consume(ch, errors, true);
            Inbox everythingInbox = Inbox.consume(ch, everything, true);
            pch.confirmSelect();
            for (String severity : List.of("info", "warning", "error", "debug", "black")) {
                pch.basicPublish("direct_logs_java", severity, null, bytes(severity));
            }
            pch.waitForConfirmsOrDie(WAIT_SECONDS * 1000);
            assertEquals(List.of("error", "black"), errorInbox.texts(2));
            assertEquals(List.of("info", "warning", "error", "black"), everythingInbox.texts(4));
            errorInbox.assertNothingMore();
            everythingInbox.assertNothingMore();
        }
    }

    public void topics() throws Exception {
        try (Connection consumer = consumerSide.newConnection(); Channel ch = consumer.createChannel();
                Connection publisher = publisherSide.newConnection(); Channel pch = publisher.createChannel()) {
            ch.exchangeDeclare("topic_logs_java", BuiltinExchangeType.TOPIC);
            String q1 = ch.queueDeclare().getQueue();
            String q2 = ch.queueDeclare().getQueue();
            ch.queueBind(q1, "topic_logs_java", "*.orange.*");
            ch.queueBind(q2, "topic_logs_java", "*.*.rabbit");
            ch.queueBind(q2, "topic_logs_java", "lazy.#");
            Inbox inbox1 = Inbox.consume(ch, q1, true);
            Inbox inbox2 = Inbox.consume(ch, q2, true);
            pch.confirmSelect();
            for (String key : List.of("quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox",
                    "lazy.brown.fox", "lazy.pink.rabbit", "quick.brown.fox", "orange", "quick.orange.new.rabbit",
                    "lazy.orange.new.rabbit", "lazy")) {
                pch.basicPublish("topic_logs_java", key, null, bytes(key));
            }
            pch.waitForConfirmsOrDie(WAIT_SECONDS * 1000);
            assertEquals(List.of("quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox"), inbox1.texts(3));
            assertEquals(List.of("quick.orange.rabbit", "lazy.orange.elephant", "lazy.brown.fox", "lazy.pink.rabbit",
                    "lazy.orange.new.rabbit", "lazy"), inbox2.texts(6));
            inbox1.assertNothingMore();
            inbox2.assertNothingMore();
        }
    }

    /** An RPC server on the consumer side and four clients at once on the publisher side. */
    public void rpc() throws Exception {
        try (Connection server = consumerSide.newConnection()) {
            Channel sch = server.createChannel();
            sch.queueDeclare("rpc_queue_java", false, false, false, null);
            sch.basicQos(1);
            sch.basicConsume("rpc_queue_java", false, (tag, request) -> {
                AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
                        .correlationId(request.getProperties().getCorrelationId()).build();
                int n = Integer.parseInt(text(request));
                sch.basicPublish("", request.getProperties().getReplyTo(), reply, bytes(Integer.toString(fib(n))));
                sch.basicAck(request.getEnvelope().getDeliveryTag(), false);
            }, tag -> { });
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                Map<Integer, Future<Integer>> answers = new HashMap<>();
                for (int n : List.of(5, 10, 15, 20)) {
                    answers.put(n, clients.submit(() -> call(n)));
                }
                for (var answer : answers.entrySet()) {
                    assertEquals(fib(answer.getKey()), answer.getValue().get(WAIT_SECONDS, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }

    private int call(int n) throws Exception {
        try (Connection connection = publisherSide.newConnection(); Channel ch = connection.createChannel()) {
            String callback = ch.queueDeclare().getQueue();
            String correlationId = UUID.randomUUID().toString();
            Inbox inbox = Inbox.consume(ch, callback, true);
            ch.basicPublish("", "rpc_queue_java", new AMQP.BasicProperties.Builder().replyTo(callback)
                    .correlationId(correlationId).build(), bytes(Integer.toString(n)));
            Delivery response = inbox.next();
            assertEquals(correlationId, response.getProperties().getCorrelationId());
            return Integer.parseInt(text(response));
        }
    }

    public void headers() throws Exception {
        try (Connection consumer = consumerSide.newConnection(); Channel ch = consumer.createChannel();
                Connection publisher = publisherSide.newConnection(); Channel pch = publisher.createChannel()) {
            ch.exchangeDeclare("headers_logs_java", BuiltinExchangeType.HEADERS);
            String all = ch.queueDeclare().getQueue();
            String any = ch.queueDeclare().getQueue();
            ch.queueBind(all, "headers_logs_java", "", Map.of("x-match", "all", "format", "pdf", "type", "report"));
            ch.queueBind(any, "headers_logs_java", "", Map.of("x-match", "any", "format", "pdf", "type", "log"));
            Inbox allInbox = Inbox.consume(ch, all, true);
            Inbox anyInbox = Inbox.consume(ch, any, true);
            pch.confirmSelect();
            publishWithHeaders(pch, Map.of("format", "pdf", "type", "report"), "pdf report");
            publishWithHeaders(pch, Map.of("format", "zip", "type", "log"), "zip log");
            publishWithHeaders(pch, Map.of("format", "zip", "type", "report"), "zip report");
            pch.waitForConfirmsOrDie(WAIT_SECONDS * 1000);
            assertEquals(List.of("pdf report"), allInbox.texts(1));
            Delivery first = anyInbox.next();
            assertEquals("pdf report", text(first));
            assertEquals("pdf", first.getProperties().getHeaders().get("format").toString());
            assertEquals(List.of("zip log"), anyInbox.texts(1));
            allInbox.assertNothingMore();
            anyInbox.assertNothingMore();
        }
    }

    private static void publishWithHeaders(Channel ch, Map<String, Object> headers, String body) throws IOException {
        ch.basicPublish("headers_logs_java", "", new AMQP.BasicProperties.Builder().headers(headers).build(), bytes(body));
    }

    /** Deliveries of one consumer, taken with a deadline. */
    public static final class Inbox {
        private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

        public static Inbox consume(Channel ch, String queue, boolean autoAck) throws IOException {
            Inbox inbox = new Inbox();
            ch.basicConsume(queue, autoAck, (tag, delivery) -> inbox.deliveries.add(delivery), tag -> { });
            return inbox;
        }

        public Delivery next() throws InterruptedException {
            Delivery delivery = deliveries.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(delivery, "no delivery within " + WAIT_SECONDS + " s");
            return delivery;
        }

        public List<String> texts(int count) throws InterruptedException {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                texts.add(text(next()));
            }
            return texts;
        }

        /**
         * Nothing else is waiting. Deliveries that were due arrived before the ones a caller awaited
         * (a queue delivers in order), so an empty inbox now means nothing more was routed here.
         */
        public void assertNothingMore() {
            assertEquals(List.of(), deliveries.stream().map(JavaTutorials::text).toList());
        }
    }

    /** The reply code a broker-closed channel or connection reported, or fails when nothing was refused. */
    public static int closeCode(ThrowingRunnable action) throws Exception {
        return Refusals.of(action).code();
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Delivery delivery) {
        return new String(delivery.getBody(), StandardCharsets.UTF_8);
    }
}
