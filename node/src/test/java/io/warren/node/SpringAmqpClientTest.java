package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.node.testing.ClientPair;
import io.warren.node.testing.Cluster;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.annotation.EnableRabbit;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Issue 14, point 9: Spring AMQP as a Spring application uses it, on three nodes: a RabbitTemplate on node 1
 * with publisher confirms and a @RabbitListener container on node 2; send and receive, request and reply
 * (Spring's default: direct reply-to), queues declared by RabbitAdmin. Runs against RabbitMQ 3.10 in
 * reference mode too.
 */
@Tag("reference")
class SpringAmqpClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("spring-amqp");
    private static AnnotationConfigApplicationContext context;
    private static int publishingPort;
    private static int listeningPort;

    @Configuration
    @EnableRabbit
    static class Application {
        @Bean
        CachingConnectionFactory connectionFactory() {
            CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", publishingPort);
            factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
            return factory;
        }

        @Bean
        RabbitTemplate rabbitTemplate(CachingConnectionFactory connectionFactory) {
            RabbitTemplate template = new RabbitTemplate(connectionFactory);
            template.setReplyTimeout(Cluster.WAIT_SECONDS * 1000);
            return template;
        }

        @Bean
        RabbitAdmin rabbitAdmin(CachingConnectionFactory connectionFactory) {
            return new RabbitAdmin(connectionFactory);
        }

        @Bean
        Queue requests() {
            return QueueBuilder.durable("spring-requests").quorum().build();
        }

        @Bean
        Queue parcels() {
            return QueueBuilder.durable("spring-parcels").build();
        }

        @Bean
        SimpleRabbitListenerContainerFactory rabbitListenerContainerFactory() {
            SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
            factory.setConnectionFactory(new CachingConnectionFactory("127.0.0.1", listeningPort));
            return factory;
        }

        @Bean
        Shouter shouter() {
            return new Shouter();
        }
    }

    static class Shouter {
        @RabbitListener(queues = "spring-requests")
        String shout(String request) {
            return request.toUpperCase(java.util.Locale.ROOT);
        }
    }

    @BeforeAll
    static void startApplication() {
        publishingPort = CLIENTS.broker().factory(1).getPort();
        listeningPort = CLIENTS.broker().factory(2).getPort();
        context = new AnnotationConfigApplicationContext(Application.class);
        context.getBean(RabbitAdmin.class).initialize(); // declares the queues now, not at first use
    }

    @AfterAll
    static void stopApplication() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void aListenerAnswersRequestsOverDirectReplyTo() {
        RabbitTemplate template = context.getBean(RabbitTemplate.class);
        assertEquals("HELLO", template.convertSendAndReceive("", "spring-requests", "hello"));
        assertEquals("AGAIN", template.convertSendAndReceive("", "spring-requests", "again"));
    }

    @Test
    void aConfirmedSendIsReceivedOnAnotherNode() throws Exception {
        RabbitTemplate template = context.getBean(RabbitTemplate.class);
        CorrelationData correlation = new CorrelationData("parcel-1");
        template.convertAndSend("", "spring-parcels", "parcel", correlation);
        assertTrue(correlation.getFuture().get(Cluster.WAIT_SECONDS, TimeUnit.SECONDS).isAck(), "confirmed");
        RabbitTemplate reader = new RabbitTemplate(new CachingConnectionFactory("127.0.0.1", listeningPort));
        try {
            assertEquals("parcel", reader.receiveAndConvert("spring-parcels", Cluster.WAIT_SECONDS * 1000));
        } finally {
            ((CachingConnectionFactory) reader.getConnectionFactory()).destroy();
        }
    }
}
