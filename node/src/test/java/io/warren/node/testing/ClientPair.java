package io.warren.node.testing;

import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What most client tests of a RabbitMQ feature start with, as a JUnit extension for a static field: three
 * nodes of the broker under test (Warren, or RabbitMQ in reference mode), a connection to node 1 that
 * publishes and one to node 2 that reads, so each test also crosses nodes. Started before the class's
 * tests, closed after them.
 */
public final class ClientPair implements BeforeAllCallback, AfterAllCallback {
    private final String name;
    private TestBroker broker;
    private Connection publishing;
    private Connection reading;

    public ClientPair(String name) {
        this.name = name;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker = TestBroker.start(name, 3);
        publishing = broker.factory(1).newConnection();
        reading = broker.factory(2).newConnection();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (publishing != null) {
                publishing.close();
            }
            if (reading != null) {
                reading.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    public TestBroker broker() {
        return broker;
    }

    public Connection publishing() {
        return publishing;
    }

    public Connection reading() {
        return reading;
    }
}
