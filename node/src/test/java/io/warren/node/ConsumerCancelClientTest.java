package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * basic.cancel while deliveries stream to the consumer, with the Java client, which closes the connection
 * ("Unsolicited delivery") on a delivery for a consumer after its cancel-ok: every delivery the broker decided
 * before the cancel must come before the cancel-ok. Warren used to queue such deliveries behind the awaited
 * cancel-ok (found by the chaos checker's thief). Runs against RabbitMQ 3.10 in reference mode.
 */
@Tag("reference")
class ConsumerCancelClientTest {
    private static final String QUEUE = "cancel-stream";
    private static final int MESSAGES = 3000;

    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("consumer-cancel");

    @Test
    void aConsumerCancelledWhileMessagesStreamGetsNothingAfterItsCancelOk() throws Exception {
        try (Channel setup = CLIENTS.publishing().createChannel()) {
            setup.queueDelete(QUEUE);
            setup.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
            setup.confirmSelect();
            for (int i = 0; i < MESSAGES; i++) {
                setup.basicPublish("", QUEUE, MessageProperties.PERSISTENT_BASIC, ("m" + i).getBytes());
            }
            setup.waitForConfirmsOrDie(Cluster.WAIT_SECONDS * 1000);
        }
        Channel channel = CLIENTS.reading().createChannel();
        channel.basicQos(300);
        AtomicInteger afterCancelOk = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        for (int round = 1; round <= 5; round++) {
            CountDownLatch some = new CountDownLatch(100);
            CompletableFuture<String> cancelOk = new CompletableFuture<>();
            String tag = channel.basicConsume(QUEUE, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) throws IOException {
                    if (cancelOk.isDone()) {
                        afterCancelOk.incrementAndGet();
                    }
                    received.incrementAndGet();
                    channel.basicAck(envelope.getDeliveryTag(), false);
                    some.countDown();
                }

                @Override
                public void handleCancelOk(String consumerTag) {
                    cancelOk.complete(consumerTag);
                }
            });
            assertTrue(some.await(Cluster.WAIT_SECONDS, TimeUnit.SECONDS), "round " + round + ": deliveries flow");
            channel.basicCancel(tag); // while up to 300 deliveries are on their way
            assertEquals(tag, cancelOk.get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(channel.isOpen(), "round " + round + ": " + channel.getCloseReason());
        }
        assertEquals(0, afterCancelOk.get(), "deliveries after a cancel-ok");
        assertTrue(received.get() >= 500, "received " + received.get());
        channel.queueDelete(QUEUE);
        channel.close();
    }
}
