package io.warren.node.testing;

import io.warren.amqp.tls.TlsConfigException;
import io.warren.amqp.tls.TlsMaterial;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Throw-away certificates made by deploy/lib/make-certs.sh (the script {@code local-cluster.sh start --tls}
 * uses), in a temporary folder: an authority, n1..nN for the nodes, "client" ({@code CN=client,O=warren}),
 * and whatever a test issues besides (expired, from another authority).
 */
public final class TestCertificates {
    private static final Path SCRIPT = Path.of("..", "deploy", "lib", "make-certs.sh").toAbsolutePath().normalize();

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** An authority with n1..n{nodes} (SANs 127.0.0.1 and localhost) and "client". */
    public static TestCertificates cluster(int nodes) throws IOException, InterruptedException {
        return cluster(nodes, "IP:127.0.0.1,DNS:localhost");
    }

    /** The same with the nodes' subject alternative names given, as openssl takes them. */
    public static TestCertificates cluster(int nodes, String sans) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("warren-certs");
        run("cluster", dir.toString(), Integer.toString(nodes), sans);
        return new TestCertificates(dir);
    }

    /** Another authority, trusted by nobody here, that issues {@code name}s of its own. */
    public TestCertificates otherAuthority() throws IOException, InterruptedException {
        Path other = Files.createTempDirectory("warren-certs-other");
        run("ca", other.toString(), "Someone else's CA");
        return new TestCertificates(other);
    }

    /** Issues {@code name}.pem/.key with {@code subject} (/O=warren/CN=late), valid {@code days} (< 0: expired). */
    public TestCertificates issue(String name, String subject, int days) throws IOException, InterruptedException {
        run("cert", dir.toString(), name, subject, "IP:127.0.0.1,DNS:localhost", Integer.toString(days));
        return this;
    }

    public Path dir() {
        return dir;
    }

    public Path authority() {
        return dir.resolve("ca.pem");
    }

    public Path certificate(String name) {
        return dir.resolve(name + ".pem");
    }

    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    /** A client context that trusts this authority only and presents no certificate. */
    public SSLContext clientContext() throws IOException, GeneralSecurityException {
        return context(null, null);
    }

    /** A client context that trusts this authority and presents {@code name}'s certificate from {@code issuer}. */
    public SSLContext clientContext(TestCertificates issuer, String name) throws IOException, GeneralSecurityException {
        return context(issuer, name);
    }

    private SSLContext context(TestCertificates issuer, String name) throws IOException, GeneralSecurityException {
        TrustManagerFactory trust;
        try {
            trust = TlsMaterial.trustManagers(authority());
        } catch (TlsConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        KeyManagerFactory keys = null;
        if (name != null) {
            try {
                keys = TlsMaterial.load(issuer.certificate(name), issuer.key(name), Optional.empty()).keys();
            } catch (TlsConfigException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : new KeyManager[] {new AlwaysPresent(
                (X509ExtendedKeyManager) keys.getKeyManagers()[0])}, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * Presents its one certificate whatever authorities the server names: the JDK's own key manager sends
     * none when its issuer is not among them, and a test of a certificate the server must refuse would then
     * test no certificate at all.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresent(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        private String only() {
            return keys.getClientAliases("EC", null)[0];
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return only();
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return only();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.getClientAliases(keyType, null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    private static void run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("make-certs.sh " + String.join(" ", args) + " failed: " + out);
        }
    }
}
