package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.node.testing.NodeProcess;
import io.warren.node.testing.TestCertificates;
import io.warren.node.testing.WarrenCtlRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, point 4: the admin API over HTTPS ({@code admin.tls}) with the node's certificate, a client
 * certificate required as tls.verify and tls.fail.if.no.peer.cert say. warrenctl reaches it with --cacert
 * (and --cert/--key); plain HTTP, a client without a certificate or with one from another authority, and a
 * warrenctl that does not trust the node's authority get nothing; the password add_user sends is in no log
 * line.
 */
class AdminTlsTest {
    private static TestCertificates certificates;
    private static TestCertificates stranger;
    private static NodeProcess node;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.cluster(1);
        stranger = certificates.otherAuthority().issue("client", "/O=warren/CN=client", 30);
        node = NodeProcess.start("admin-tls", "--tls-cert", certificates.certificate("n1").toString(),
                "--tls-key", certificates.key("n1").toString(), "--tls-ca", certificates.authority().toString(),
                "--tls-verify", "verify_peer", "--tls-fail-if-no-peer-cert", "true", "--admin-tls", "true",
                "--amqps-port", Integer.toString(NodeProcess.freePort()));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static WarrenCtlRun ctl(TestCertificates authority, TestCertificates client, String... args)
            throws Exception {
        List<String> all = new ArrayList<>();
        if (authority != null) {
            all.addAll(List.of("--cacert", authority.authority().toString()));
        }
        if (client != null) {
            all.addAll(List.of("--cert", client.certificate("client").toString(), "--key",
                    client.key("client").toString()));
        }
        all.addAll(List.of(args));
        return WarrenCtlRun.run(node.adminPort(), all.toArray(String[]::new));
    }

    @Test
    void warrenctlWithTheAuthorityAndAClientCertificateIsServedAndNoPasswordIsLogged() throws Exception {
        WarrenCtlRun status = ctl(certificates, certificates, "status").requireSuccess();
        assertTrue(status.out().contains("serving"), status.out());
        ctl(certificates, certificates, "add_user", "https-user", "pa55-over-https").requireSuccess();
        assertTrue(ctl(certificates, certificates, "list_users").requireSuccess().out().contains("https-user"));
        assertTrue(node.output().stream().noneMatch(l -> l.contains("pa55-over-https")),
                "the password is in no log line");
    }

    @Test
    void plainHttpAndClientsTheNodeOrTheyCannotTrustGetNothing() throws Exception {
        WarrenCtlRun plain = ctl(null, null, "status");
        assertEquals(3, plain.exit(), plain.err());
        assertTrue(plain.err().contains("give --cacert"), plain.err());
        WarrenCtlRun noCertificate = ctl(certificates, null, "status");
        assertEquals(3, noCertificate.exit(), "a client certificate is required: " + noCertificate.err());
        WarrenCtlRun strangersCertificate = ctl(certificates, stranger, "status");
        assertEquals(3, strangersCertificate.exit(), strangersCertificate.err());
        WarrenCtlRun untrustedNode = ctl(stranger, certificates, "status");
        assertEquals(3, untrustedNode.exit(), untrustedNode.err());
        assertTrue(untrustedNode.err().contains("PKIX") || untrustedNode.err().contains("certification path"),
                untrustedNode.err());
        ctl(certificates, certificates, "status").requireSuccess();
    }

    @Test
    void halfATlsSetupIsBadUsage() throws Exception {
        WarrenCtlRun certWithoutKey = WarrenCtlRun.run(node.adminPort(), "--cacert",
                certificates.authority().toString(), "--cert", certificates.certificate("client").toString(), "status");
        assertEquals(2, certWithoutKey.exit());
        assertTrue(certWithoutKey.err().contains("--cert FILE with --key FILE"), certWithoutKey.err());
        WarrenCtlRun missingAuthority = WarrenCtlRun.run(node.adminPort(), "--cacert", "/nonexistent/ca.pem", "status");
        assertEquals(2, missingAuthority.exit());
        assertTrue(missingAuthority.err().contains("cannot read certificate file /nonexistent/ca.pem"),
                missingAuthority.err());
    }
}
