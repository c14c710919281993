package io.warren.node;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.broker.Authenticator;
import io.warren.raft.core.UserRecord;
import io.warren.raft.ratis.WarrenStateMachine;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.security.auth.x500.X500Principal;

/**
 * Logins against the replicated user table. Passwords are checked against the salted SHA-256 hash the
 * core stores (RabbitMQ's layout: 4-byte salt, then SHA-256(salt ++ password)). Users listed in
 * {@code loopback.users} (guest by default) may log in only from a loopback address, as RabbitMQ does.
 * A certificate login (SASL EXTERNAL) names the user by the certificate's subject, whole or its common name
 * ({@code ssl.cert.login.from}); the user must exist, its password is not asked.
 */
final class CoreAuthenticator implements Authenticator {
    private final WarrenStateMachine stateMachine;
    private final Set<String> loopbackUsers;
    private final TlsConfig.CertificateLogin certificateLogin;

    CoreAuthenticator(WarrenStateMachine stateMachine, Set<String> loopbackUsers,
            TlsConfig.CertificateLogin certificateLogin) {
        this.stateMachine = stateMachine;
        this.loopbackUsers = loopbackUsers;
        this.certificateLogin = certificateLogin;
    }

    @Override
    public CompletionStage<String> authenticate(String username, String password, SocketAddress remoteAddress) {
        Optional<UserRecord> user = stateMachine.query(q -> q.user(username));
        if (user.isEmpty() || !passwordMatches(user.get().passwordHash().toByteArray(), password)) {
            return refused("Login was refused using authentication mechanism PLAIN. For details see the broker logfile.");
        }
        return admitFrom(username, remoteAddress);
    }

    @Override
    public CompletionStage<String> authenticateCertificate(X509Certificate certificate, SocketAddress remoteAddress) {
        Optional<String> name = certificateUser(certificate, certificateLogin);
        if (name.isEmpty()) {
            return refused("EXTERNAL login refused: the certificate's subject has no common name");
        }
        String username = name.get();
        if (stateMachine.query(q -> q.user(username)).isEmpty()) {
            return refused("EXTERNAL login refused: user '" + username + "' - invalid credentials");
        }
        return admitFrom(username, remoteAddress);
    }

    /**
     * The user a certificate names: its subject as RFC 2253 writes it (the most specific part first, as
     * RabbitMQ formats it: {@code CN=client,O=warren}), or the subject's common name (the first in the
     * certificate's order, as RabbitMQ takes it).
     */
    static Optional<String> certificateUser(X509Certificate certificate, TlsConfig.CertificateLogin from) {
        String subject = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
        if (from == TlsConfig.CertificateLogin.DISTINGUISHED_NAME) {
            return Optional.of(subject);
        }
        try {
            return new LdapName(subject).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN"))
                    .map(rdn -> rdn.getValue().toString())
                    .findFirst();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    @Override
    public CompletionStage<Void> openVirtualHost(String username, String virtualHost) {
        boolean allowed = stateMachine.query(q -> q.vhostExists(virtualHost) && q.permission(username, virtualHost).isPresent());
        if (!allowed) {
            return CompletableFuture.failedFuture(AmqpException.of(ReplyCode.NOT_ALLOWED,
                    "access to vhost '" + virtualHost + "' refused for user '" + username + "'"));
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The last check of every login: {@code loopback.users} come from loopback only, as in RabbitMQ. */
    private CompletionStage<String> admitFrom(String username, SocketAddress remoteAddress) {
        if (loopbackUsers.contains(username) && !isLoopback(remoteAddress)) {
            return refused("user '" + username + "' can only connect via localhost");
        }
        return CompletableFuture.completedFuture(username);
    }

    private static CompletionStage<String> refused(String text) {
        return CompletableFuture.failedFuture(AmqpException.connectionError(ReplyCode.ACCESS_REFUSED, text, 10, 11));
    }

    static boolean isLoopback(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                && inet.getAddress().isLoopbackAddress();
    }

    /** Salt (first 4 bytes) and digest compared in constant time. An empty stored hash never matches. */
    static boolean passwordMatches(byte[] stored, String password) {
        if (stored.length != 4 + 32) {
            return false;
        }
        byte[] salt = java.util.Arrays.copyOf(stored, 4);
        return MessageDigest.isEqual(stored, hash(salt, password));
    }

    /** A new password's stored hash: a fresh random 4-byte salt, then SHA-256(salt ++ password). */
    static com.google.protobuf.ByteString saltedHash(String password) {
        byte[] salt = new byte[4];
        SALTS.nextBytes(salt);
        return com.google.protobuf.ByteString.copyFrom(hash(salt, password));
    }

    private static final java.security.SecureRandom SALTS = new java.security.SecureRandom();

    static byte[] hash(byte[] salt, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            sha256.update(password.getBytes(StandardCharsets.UTF_8));
            byte[] digest = sha256.digest();
            byte[] stored = new byte[salt.length + digest.length];
            System.arraycopy(salt, 0, stored, 0, salt.length);
            System.arraycopy(digest, 0, stored, salt.length, digest.length);
            return stored;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
