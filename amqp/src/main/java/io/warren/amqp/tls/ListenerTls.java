package io.warren.amqp.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * How a TLS listener (AMQPS) negotiates, in RabbitMQ's terms ({@code ssl_options.*}).
 *
 * @param material the node's key, certificate chain and trusted authorities
 * @param protocols the TLS versions offered, e.g. TLSv1.3 and TLSv1.2 ({@code ssl_options.versions})
 * @param cipherSuites the suites offered, in order; empty for the engine's defaults ({@code ssl_options.ciphers})
 * @param peerVerification whether a client certificate is asked for and whether one is required
 * @param engine the TLS implementation
 */
public record ListenerTls(TlsMaterial material, List<String> protocols, List<String> cipherSuites,
        PeerVerification peerVerification, Engine engine) {

    public static final List<String> PROTOCOLS_DEFAULT = List.of("TLSv1.3", "TLSv1.2");

    /** RabbitMQ's {@code verify} and {@code fail_if_no_peer_cert} together. */
    public enum PeerVerification {
        /** verify_none: no client certificate is asked for (so a SASL EXTERNAL login is refused). */
        NONE(ClientAuth.NONE),
        /** verify_peer, fail_if_no_peer_cert = false: a certificate is asked for and checked if sent. */
        VERIFY_PEER(ClientAuth.OPTIONAL),
        /** verify_peer, fail_if_no_peer_cert = true: a client without a trusted certificate is refused. */
        REQUIRE_PEER_CERT(ClientAuth.REQUIRE);

        private final ClientAuth clientAuth;

        PeerVerification(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }

        /** From the two RabbitMQ settings: {@code verify_none}/{@code verify_peer} and the flag. */
        public static PeerVerification of(String verify, boolean failIfNoPeerCert) throws TlsConfigException {
            return switch (verify) {
                case "verify_none" -> NONE;
                case "verify_peer" -> failIfNoPeerCert ? REQUIRE_PEER_CERT : VERIFY_PEER;
                default -> throw new TlsConfigException("tls.verify '" + verify
                        + "' must be verify_peer or verify_none");
            };
        }
    }

    /** The TLS implementation: the JDK's own, or BoringSSL through netty-tcnative. */
    public enum Engine {
        JDK, OPENSSL;

        public static Engine of(String text) throws TlsConfigException {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "jdk" -> JDK;
                case "openssl" -> OPENSSL;
                default -> throw new TlsConfigException("tls.engine '" + text + "' must be jdk or openssl");
            };
        }
    }

    public ListenerTls {
        Objects.requireNonNull(material, "material");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        Objects.requireNonNull(peerVerification, "peerVerification");
        Objects.requireNonNull(engine, "engine");
    }

    /**
     * The server context every AMQPS connection's handler is made from.
     *
     * @throws TlsConfigException when the engine is not available here, a protocol or suite is unknown to
     *     it, or a client certificate is asked for with nothing to check it against
     */
    public SslContext serverContext() throws TlsConfigException {
        if (engine == Engine.OPENSSL && !OpenSsl.isAvailable()) {
            throw new TlsConfigException("tls.engine openssl is not available on this machine: "
                    + OpenSsl.unavailabilityCause());
        }
        if (peerVerification != PeerVerification.NONE && material.trust().isEmpty()) {
            throw new TlsConfigException("tls.verify verify_peer needs tls.ca: the authorities client"
                    + " certificates must come from");
        }
        SslContextBuilder builder = SslContextBuilder.forServer(material.keys())
                .sslProvider(engine == Engine.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(protocols)
                .clientAuth(peerVerification.clientAuth);
        material.trust().ifPresent(builder::trustManager);
        if (!cipherSuites.isEmpty()) {
            builder.ciphers(cipherSuites);
        }
        try {
            SslContext context = builder.build();
            requireEnabled(context);
            return context;
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsConfigException(cannotSetUp() + e.getMessage(), e);
        }
    }

    /**
     * The engines leave out (or only refuse at the first connection) a protocol or suite they do not know:
     * one engine made now must have every one asked for enabled. Suites are compared for the JDK engine
     * only: BoringSSL takes OpenSSL's names too and refuses a list it cannot use when the context is built.
     */
    private void requireEnabled(SslContext context) throws TlsConfigException {
        SSLEngine probe = context.newEngine(ByteBufAllocator.DEFAULT);
        try {
            List<String> missingProtocols = missing(protocols, probe.getEnabledProtocols());
            List<String> missingSuites = engine == Engine.JDK ? missing(cipherSuites, probe.getEnabledCipherSuites())
                    : List.of();
            if (!missingProtocols.isEmpty() || !missingSuites.isEmpty()) {
                throw new TlsConfigException(cannotSetUp() + "not supported here: "
                        + String.join(", ", missingProtocols) + (missingProtocols.isEmpty() || missingSuites.isEmpty()
                        ? "" : ", ") + String.join(", ", missingSuites));
            }
        } finally {
            ReferenceCountUtil.release(probe);
        }
    }

    private static List<String> missing(List<String> wanted, String[] enabled) {
        List<String> have = List.of(enabled);
        return wanted.stream().filter(w -> !have.contains(w)).toList();
    }

    private String cannotSetUp() {
        return "cannot set up TLS (protocols " + protocols + ", ciphers "
                + (cipherSuites.isEmpty() ? "default" : cipherSuites) + ", engine " + engine + "): ";
    }
}
