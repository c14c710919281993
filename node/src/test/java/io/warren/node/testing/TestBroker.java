package io.warren.node.testing;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;

/**
 * The broker a client test of a RabbitMQ feature runs against: Warren's node processes, or, in reference
 * mode, Debian's RabbitMQ 3.10 started for the test, so that what the test expects is what RabbitMQ does
 * and not our reading of its docs. The switch is the environment variable {@code WARREN_REFERENCE=rabbitmq}
 * (`deploy/test.sh --reference`); tests written against this interface carry {@code @Tag("reference")}.
 */
public interface TestBroker extends AutoCloseable {
    /** The reference-mode switch. */
    static boolean referenceMode() {
        return "rabbitmq".equals(System.getenv("WARREN_REFERENCE"));
    }

    /** {@code size} nodes of the broker under test; {@code warrenArgs} are node flags, Warren's only. */
    static TestBroker start(String name, int size, String... warrenArgs) throws IOException, InterruptedException {
        return start(name, size, java.util.List.of(), warrenArgs);
    }

    /**
     * The same, with node settings on both sides: {@code rabbitConf} as lines of RabbitMQ's rabbitmq.conf
     * (e.g. {@code consumer_timeout = 1000}), {@code warrenArgs} as Warren's node flags for the same.
     */
    static TestBroker start(String name, int size, java.util.List<String> rabbitConf, String... warrenArgs)
            throws IOException, InterruptedException {
        return referenceMode() ? RabbitBroker.start(name, size, rabbitConf) : WarrenBroker.start(name, size, warrenArgs);
    }

    /**
     * How a TLS listener is set up on both sides.
     *
     * @param verify RabbitMQ's ssl_options.verify: verify_peer or verify_none (Warren's tls.verify)
     * @param failIfNoPeerCert ssl_options.fail_if_no_peer_cert (tls.fail.if.no.peer.cert)
     * @param handshakeTimeoutMs handshake_timeout (handshake.timeout.ms)
     */
    record TlsSetup(String verify, boolean failIfNoPeerCert, long handshakeTimeoutMs) {}

    /**
     * One node serving AMQPS beside plain AMQP with node n1's certificate of {@code certificates}, trusting
     * its authority, SASL EXTERNAL enabled (RabbitMQ: rabbitmq_auth_mechanism_ssl, user from the whole
     * distinguished name); {@link #tlsPort} is the AMQPS port.
     */
    static TestBroker startTls(String name, TestCertificates certificates, TlsSetup setup)
            throws IOException, InterruptedException {
        return referenceMode() ? RabbitBroker.startTls(name, certificates, setup)
                : WarrenBroker.startTls(name, certificates, setup);
    }

    /** The AMQPS port of node {@code node}, on a broker started with {@link #startTls}. */
    default int tlsPort(int node) {
        throw new UnsupportedOperationException(describe() + " was started without TLS");
    }

    /**
     * One node serving the management HTTP API ({@link #managementPort}): Warren's admin port, RabbitMQ with
     * rabbitmq_management on a free port. The user guest (administrator) exists on both.
     */
    static TestBroker startWithManagement(String name) throws IOException, InterruptedException {
        return referenceMode() ? RabbitBroker.startWithManagement(name) : WarrenBroker.start(name, 1);
    }

    /** The management API's HTTP port of node {@code node}. */
    default int managementPort(int node) {
        throw new UnsupportedOperationException(describe() + " was started without the management API");
    }

    /** "Warren" or "RabbitMQ 3.10.x": for messages. */
    String describe();

    int size();

    /** A client connection factory for node {@code node} (1-based), without automatic recovery. */
    ConnectionFactory factory(int node);

    /**
     * A control command on node {@code node} as rabbitmqctl takes it (warrenctl mirrors its subcommands and
     * their positional arguments), e.g. {@code ctl(2, "set_vm_memory_high_watermark", "0")}.
     */
    CtlRun ctl(int node, String... args) throws IOException, InterruptedException;

    @Override
    void close();
}
