package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import com.rabbitmq.client.GetResponse;
import io.warren.node.testing.Cluster;
import io.warren.node.testing.PikaTutorials;
import io.warren.node.testing.TestBroker;
import io.warren.node.testing.TestCertificates;
import io.warren.node.testing.WarrenBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * AMQPS as RabbitMQ's clients use it, against a node with verify_peer (a client certificate is asked for,
 * not required) and SASL EXTERNAL: server-verified TLS for the Java client and pika, certificate logins,
 * and every way a TLS connection is refused (untrusted or expired certificate, plaintext on the TLS port,
 * TLS on the plain port, a stalled handshake), each without a connection left behind. Reference mode runs
 * the same against RabbitMQ 3.10 with rabbitmq_auth_mechanism_ssl.
 */
@Tag("reference")
class TlsClientTest {
    private static final String CLIENT_USER = "CN=client,O=warren";
    private static final long HANDSHAKE_TIMEOUT_MS = 2000;

    private static TestCertificates certificates;
    private static TestCertificates stranger;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.cluster(1)
                .issue("expired", "/O=warren/CN=expired", -1)
                .issue("unknown", "/O=warren/CN=unknown", 30);
        stranger = certificates.otherAuthority().issue("client", "/O=warren/CN=client", 30);
        broker = TestBroker.startTls("tls", certificates,
                new TestBroker.TlsSetup("verify_peer", false, HANDSHAKE_TIMEOUT_MS));
        broker.ctl(1, "add_user", CLIENT_USER, "not-used-by-external").requireSuccess();
        broker.ctl(1, "set_permissions", CLIENT_USER, ".*", ".*", ".*").requireSuccess();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static ConnectionFactory tls(SSLContext context) {
        ConnectionFactory factory = broker.factory(1);
        factory.setHost("localhost");
        factory.setPort(broker.tlsPort(1));
        factory.useSslProtocol(context);
        factory.enableHostnameVerification();
        return factory;
    }

    @Test
    void theJavaClientVerifiesTheServerAndPublishesWithConfirms() throws Exception {
        try (Connection connection = tls(certificates.clientContext()).newConnection();
                Channel channel = connection.createChannel()) {
            roundTrip(channel, null);
        }
    }

    @Test
    void aClientCertificateLogsInWithExternalAsItsSubject() throws Exception {
        ConnectionFactory factory = tls(certificates.clientContext(certificates, "client"));
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            // The broker refuses a user_id other than the login user's (406), so this shows who logged in.
            roundTrip(channel, CLIENT_USER);
        }
    }

    @Test
    void pikaVerifiesTheServerAndLogsInWithPasswordOrCertificate() throws Exception {
        PikaTutorials pika = PikaTutorials.prepare("tls.py");
        String port = Integer.toString(broker.tlsPort(1));
        pika.runToOk("pika TLS, PLAIN", port, certificates.authority().toString());
        pika.runToOk("pika TLS, EXTERNAL", port, certificates.authority().toString(),
                certificates.certificate("client").toString(), certificates.key("client").toString());
    }

    @Test
    void externalForACertificateOfNoKnownUserIsRefused() throws Exception {
        ConnectionFactory factory = tls(certificates.clientContext(certificates, "unknown"));
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        assertThrows(AuthenticationFailureException.class, factory::newConnection);
        awaitNoConnections();
    }

    @Test
    void externalWithoutAClientCertificateIsRefusedAndIsNotOfferedOnThePlainPort() throws Exception {
        // RabbitMQ offers EXTERNAL on every TLS connection and refuses the login without a certificate.
        ConnectionFactory withoutCertificate = tls(certificates.clientContext());
        withoutCertificate.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        assertThrows(AuthenticationFailureException.class, withoutCertificate::newConnection);
        ConnectionFactory plain = broker.factory(1);
        plain.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        IOException onPlain = assertThrows(IOException.class, plain::newConnection);
        assertTrue(String.valueOf(onPlain.getMessage()).contains("No compatible authentication mechanism"),
                onPlain.toString());
        awaitNoConnections();
        awaitWarrenLog("event=login_refused", "no peer certificate");
    }

    @Test
    void aCertificateFromAnotherAuthorityIsRefusedInTheHandshake() throws Exception {
        assertCertificateRefused(certificates.clientContext(stranger, "client"),
                "unable to find valid certification path");
    }

    @Test
    void anExpiredCertificateIsRefusedInTheHandshake() throws Exception {
        assertCertificateRefused(certificates.clientContext(certificates, "expired"), "CertificateExpiredException");
    }

    /** A client presenting this context's certificate gets no connection, and nothing of it stays. */
    private static void assertCertificateRefused(SSLContext context, String reason) throws Exception {
        ConnectionFactory factory = tls(context);
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        assertThrows(IOException.class, factory::newConnection);
        awaitNoConnections();
        awaitWarrenLog("event=tls_handshake_failed", reason);
    }

    @Test
    void plaintextAmqpOnTheTlsPortIsRefused() throws Exception {
        ConnectionFactory factory = broker.factory(1);
        factory.setPort(broker.tlsPort(1));
        factory.setHandshakeTimeout(30_000);
        assertThrows(IOException.class, factory::newConnection);
        awaitNoConnections();
        awaitWarrenLog("event=tls_handshake_failed", "not an SSL/TLS record");
    }

    @Test
    void tlsOnThePlainPortIsRefused() throws Exception {
        ConnectionFactory factory = broker.factory(1);
        factory.useSslProtocol(certificates.clientContext());
        assertThrows(SSLException.class, factory::newConnection);
        awaitNoConnections();
        awaitWarrenLog("event=protocol_header_refused", "a TLS handshake on a plain AMQP port");
    }

    @Test
    void aStalledHandshakeIsClosedByTheServer() throws Exception {
        // One socket that sends nothing, one that stops inside its ClientHello's record header.
        for (byte[] sent : new byte[][] {new byte[0], {0x16, 0x03, 0x01, 0x02, 0x00}}) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", broker.tlsPort(1)), 5000);
                OutputStream out = socket.getOutputStream();
                out.write(sent);
                out.flush();
                socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(Cluster.WAIT_SECONDS));
                assertEquals(-1, readUntilClosed(socket.getInputStream()),
                        "the server closes a handshake that stalls (" + sent.length + " bytes sent)");
            }
        }
        awaitNoConnections();
        awaitWarrenLog("event=tls_handshake_failed", "handshake timed out");
    }

    /**
     * Reads (an alert, perhaps) until the server closes, by FIN (Warren) or by reset (RabbitMQ); -1 then. A
     * read timeout fails the test.
     */
    private static int readUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[512];
        int read;
        try {
            do {
                read = in.read(buffer);
            } while (read > 0);
        } catch (SocketException reset) {
            if (!String.valueOf(reset.getMessage()).contains("reset")) {
                throw reset;
            }
            return -1;
        }
        return read;
    }

    private static void roundTrip(Channel channel, String userId) throws Exception {
        channel.confirmSelect();
        String queue = channel.queueDeclare().getQueue();
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().userId(userId).build();
        for (int i = 0; i < 20; i++) {
            channel.basicPublish("", queue, true, properties, ("tls " + i).getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(TimeUnit.SECONDS.toMillis(Cluster.WAIT_SECONDS));
        for (int i = 0; i < 20; i++) {
            GetResponse response = channel.basicGet(queue, true);
            assertNotNull(response, "message " + i + " of 20");
            assertEquals("tls " + i, new String(response.getBody(), StandardCharsets.UTF_8));
            assertEquals(userId, response.getProps().getUserId());
        }
    }

    /**
     * Nothing of a refused connection stays: the broker lists no connection (tests run one at a time); a
     * connection's name is "client address -> server address" on both brokers.
     */
    private static void awaitNoConnections() throws InterruptedException {
        Cluster.await("no connection left on " + broker.describe(), Cluster.WAIT_SECONDS, () -> {
            try {
                return !broker.ctl(1, "list_connections", "name").requireSuccess().out().contains("->");
            } catch (IOException | InterruptedException e) {
                return false;
            }
        });
    }

    /** Warren only: its log says why it refused, on one line. */
    private static void awaitWarrenLog(String event, String reason) throws InterruptedException {
        if (broker instanceof WarrenBroker warren) {
            Cluster.await(event + " with '" + reason + "' in the node's log", Cluster.WAIT_SECONDS, () ->
                    warren.cluster().node(1).output().stream().anyMatch(l -> l.contains(event) && l.contains(reason)));
        }
    }
}
