package io.warren.node.testing;

import com.rabbitmq.client.ConnectionFactory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reference mode: Debian's RabbitMQ 3.10 ({@code rabbitmq-server}), {@code size} nodes clustered on free
 * ports with their data in a temporary folder, run as the {@code rabbitmq} user (its Erlang cookie is in
 * /var/lib/rabbitmq). Control commands go to rabbitmqctl. Needs root, as the chaos tests do.
 */
final class RabbitBroker implements TestBroker {
    private static final String BIN = "/usr/lib/rabbitmq/bin/";
    private static final long START_SECONDS = 300;

    private final Path home;
    private final List<Integer> tlsPorts = new ArrayList<>();
    private int managementPort = -1;
    private final List<String> names = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private RabbitBroker(Path home) {
        this.home = home;
    }

    static RabbitBroker start(String name, int size, List<String> conf) throws IOException, InterruptedException {
        return start(name, size, conf, "[]", null);
    }

    /**
     * One node with an AMQPS listener on a free port: the certificates are copied under the broker's folder
     * (RabbitMQ runs as the rabbitmq user, who cannot read root's keys), EXTERNAL offered through
     * rabbitmq_auth_mechanism_ssl.
     */
    static RabbitBroker startTls(String name, TestCertificates certificates, TestBroker.TlsSetup setup)
            throws IOException, InterruptedException {
        int port = NodeProcess.freePort();
        List<String> conf = List.of("listeners.ssl.default = " + port,
                "ssl_options.cacertfile = {home}/tls/ca.pem",
                "ssl_options.certfile = {home}/tls/n1.pem",
                "ssl_options.keyfile = {home}/tls/n1.key",
                "ssl_options.verify = " + setup.verify(),
                "ssl_options.fail_if_no_peer_cert = " + setup.failIfNoPeerCert(),
                "ssl_options.versions.1 = tlsv1.3",
                "ssl_options.versions.2 = tlsv1.2",
                "auth_mechanisms.1 = PLAIN",
                "auth_mechanisms.2 = AMQPLAIN",
                "auth_mechanisms.3 = EXTERNAL",
                "handshake_timeout = " + setup.handshakeTimeoutMs());
        RabbitBroker broker = start(name, 1, conf, "[rabbitmq_auth_mechanism_ssl]", certificates.dir());
        broker.tlsPorts.add(port);
        return broker;
    }

    /** One node with rabbitmq_management listening on a free port. */
    static RabbitBroker startWithManagement(String name) throws IOException, InterruptedException {
        int port = NodeProcess.freePort();
        RabbitBroker broker = start(name, 1, List.of("management.tcp.port = " + port,
                "management.tcp.ip = 127.0.0.1"), "[rabbitmq_management]", null);
        broker.managementPort = port;
        return broker;
    }

    @Override
    public int managementPort(int node) {
        if (managementPort < 0) {
            return TestBroker.super.managementPort(node);
        }
        return managementPort;
    }

    @Override
    public int tlsPort(int node) {
        if (tlsPorts.isEmpty()) {
            return TestBroker.super.tlsPort(node);
        }
        return tlsPorts.get(node - 1);
    }

    /**
     * @param conf rabbitmq.conf lines; {@code {home}} stands for the broker's folder
     * @param plugins the enabled_plugins list, e.g. {@code [rabbitmq_auth_mechanism_ssl]}
     * @param tlsFiles copied to {@code {home}/tls} when not null
     */
    private static RabbitBroker start(String name, int size, List<String> conf, String plugins, Path tlsFiles)
            throws IOException, InterruptedException {
        if (!new File(BIN + "rabbitmq-server").canExecute()) {
            throw new AssertionError("reference mode needs Debian's rabbitmq-server (deploy/test.sh --reference"
                    + " installs it: apt-get install rabbitmq-server)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("reference mode runs RabbitMQ as the rabbitmq user: run the tests as root");
        }
        Path home = Files.createTempDirectory("warren-reference-" + name);
        RabbitBroker broker = new RabbitBroker(home);
        // Only this test's settings: RabbitMQ reads every .conf file of the folder, and none from /etc.
        Files.createDirectories(home.resolve("conf.d"));
        Files.write(home.resolve("conf.d").resolve("10-test.conf"),
                conf.stream().map(line -> line.replace("{home}", home.toString())).toList());
        if (tlsFiles != null) {
            Path target = Files.createDirectories(home.resolve("tls"));
            try (var files = Files.list(tlsFiles)) {
                for (Path file : files.toList()) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            }
        }
        try {
            broker.launch(size, plugins);
            return broker;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            broker.close();
            throw e;
        }
    }

    private void launch(int size, String plugins) throws IOException, InterruptedException {
        Files.writeString(home.resolve("enabled_plugins"), plugins + ".\n");
        for (int i = 1; i <= size; i++) {
            int port = NodeProcess.freePort();
            int distPort = NodeProcess.freePort();
            String node = "reference" + port + "@localhost";
            Path dir = Files.createDirectories(home.resolve("n" + i));
            names.add(node);
            ports.add(port);
            run("chown", "-R", "rabbitmq:", home.toString());
            String environment = "HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=" + node + " RABBITMQ_NODE_PORT=" + port
                    + " RABBITMQ_DIST_PORT=" + distPort + " RABBITMQ_MNESIA_BASE=" + dir.resolve("mnesia")
                    + " RABBITMQ_LOG_BASE=" + dir.resolve("log") + " RABBITMQ_PID_FILE=" + dir.resolve("pid")
                    + " RABBITMQ_ENABLED_PLUGINS_FILE=" + home.resolve("enabled_plugins")
                    + " RABBITMQ_CONFIG_FILES=" + home.resolve("conf.d");
            processes.add(new ProcessBuilder("su", "rabbitmq", "-s", "/bin/sh", "-c",
                    "cd " + dir + " && exec env " + environment + " " + BIN + "rabbitmq-server")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start());
        }
        for (int i = 1; i <= size; i++) {
            awaitStartup(i);
        }
        for (int i = 2; i <= size; i++) {
            ctl(i, "stop_app").requireSuccess();
            ctl(i, "join_cluster", names.get(0)).requireSuccess();
            ctl(i, "start_app").requireSuccess();
        }
    }

    /** await_startup fails at once while the node is not yet known to epmd: asked again until the deadline. */
    private void awaitStartup(int node) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (ctl(node, "await_startup", "--timeout", "60").exit() != 0) {
            if (System.nanoTime() > deadline || !processes.get(node - 1).isAlive()) {
                throw new AssertionError("RabbitMQ node " + names.get(node - 1) + " did not start; see "
                        + home.resolve("n" + node));
            }
            Thread.sleep(500);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public String describe() {
        return "RabbitMQ (Debian rabbitmq-server)";
    }

    @Override
    public int size() {
        return names.size();
    }

    @Override
    public ConnectionFactory factory(int node) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(ports.get(node - 1));
        factory.setAutomaticRecoveryEnabled(false);
        factory.setConnectionTimeout(5000);
        return factory;
    }

    @Override
    public CtlRun ctl(int node, String... args) throws IOException, InterruptedException {
        // After "--" su hands the arguments to the shell as $0 $1 ... (before it, su would take -n as its
        // own option), so none is parsed twice.
        List<String> command = new ArrayList<>(List.of("su", "rabbitmq", "-s", "/bin/sh", "-c",
                "HOME=/var/lib/rabbitmq exec " + BIN + "rabbitmqctl \"$@\"", "--", "rabbitmqctl", "-n",
                names.get(node - 1)));
        command.addAll(List.of(args));
        return CtlRun.of("rabbitmqctl", command);
    }

    @Override
    public void close() {
        for (int i = 1; i <= names.size(); i++) {
            try {
                ctl(i, "stop");
            } catch (IOException | InterruptedException | RuntimeException e) {
                // killed below
            }
        }
        for (Process process : processes) {
            process.destroyForcibly();
        }
        // su's child outlives su: a node that did not stop goes by the pid it wrote.
        for (int i = 1; i <= names.size(); i++) {
            try {
                String pid = Files.readString(home.resolve("n" + i).resolve("pid")).trim();
                run("kill", "-9", pid);
            } catch (IOException | InterruptedException e) {
                // stopped already, or never started
            }
        }
        try (var files = Files.walk(home)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: left for the system
        }
    }
}
