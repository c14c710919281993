package io.warren.node.testing;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Warren's node processes behind {@link TestBroker}; warrenctl for control commands. */
public final class WarrenBroker implements TestBroker {
    private final Cluster cluster;
    /** The AMQPS port of the single node of a TLS broker, else -1. */
    private final int tlsPort;

    private WarrenBroker(Cluster cluster, int tlsPort) {
        this.cluster = cluster;
        this.tlsPort = tlsPort;
    }

    static WarrenBroker start(String name, int size, String... args) throws IOException, InterruptedException {
        return new WarrenBroker(Cluster.start(name, size, args), -1);
    }

    static WarrenBroker startTls(String name, TestCertificates certificates, TestBroker.TlsSetup setup)
            throws IOException, InterruptedException {
        int port = NodeProcess.freePort();
        return new WarrenBroker(Cluster.start(name, 1, "--amqps-port", Integer.toString(port),
                "--tls-cert", certificates.certificate("n1").toString(), "--tls-key", certificates.key("n1").toString(),
                "--tls-ca", certificates.authority().toString(), "--tls-verify", setup.verify(),
                "--tls-fail-if-no-peer-cert", Boolean.toString(setup.failIfNoPeerCert()),
                "--handshake-timeout-ms", Long.toString(setup.handshakeTimeoutMs())), port);
    }

    @Override
    public int tlsPort(int node) {
        if (tlsPort < 0) {
            return TestBroker.super.tlsPort(node);
        }
        return tlsPort;
    }

    @Override
    public int managementPort(int node) {
        return cluster.node(node).adminPort();
    }

    /** The node processes, for what only Warren has (its admin API, its logs). */
    public Cluster cluster() {
        return cluster;
    }

    @Override
    public String describe() {
        return "Warren";
    }

    @Override
    public int size() {
        return cluster.nodes().size();
    }

    @Override
    public ConnectionFactory factory(int node) {
        return Cluster.factory(cluster.node(node));
    }

    @Override
    public CtlRun ctl(int node, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(NodeProcess.javaBinary(), "-cp", NodeProcess.classpath(),
                "io.warren.node.WarrenCtl", "-n", "127.0.0.1:" + cluster.node(node).adminPort()));
        command.addAll(List.of(args));
        return CtlRun.of("warrenctl", command);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
