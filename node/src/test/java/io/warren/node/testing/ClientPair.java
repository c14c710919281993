package io.warren.node.testing;

import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What most client tests of a RabbitMQ feature start with, as a JUnit extension for a static field: three
 * nodes of the broker under test (Warren, or RabbitMQ in reference mode), a connection to node 1 that
 * publishes and one to node 2 that reads, so each test also crosses nodes. The three nodes are shared by
 * every class of the test JVM (starting a RabbitMQ cluster takes half a minute): before each class, vhost
 * "/" is deleted and made again with guest's permissions, so a class finds no queue, exchange, binding or
 * policy of another. The connections are the class's own; the nodes stop when the JVM exits.
 */
public final class ClientPair implements BeforeAllCallback, AfterAllCallback {
    private static TestBroker shared;
    private final String name;
    private TestBroker broker;
    private Connection publishing;
    private Connection reading;

    public ClientPair(String name) {
        this.name = name;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        broker = sharedBroker(name);
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
            broker = null;
        }
    }

    /** The JVM's three nodes, started at the first class that asks, else emptied for this class. */
    private static synchronized TestBroker sharedBroker(String name) throws Exception {
        if (shared == null) {
            shared = TestBroker.start(name, 3);
            TestBroker started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "client-pair-nodes-stop"));
            return shared;
        }
        shared.ctl(1, "delete_vhost", "/").requireSuccess();
        shared.ctl(1, "add_vhost", "/").requireSuccess();
        shared.ctl(1, "set_permissions", "-p", "/", "guest", ".*", ".*", ".*").requireSuccess();
        return shared;
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
