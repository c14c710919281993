package io.warren.node;

import io.warren.amqp.tls.ListenerTls;
import io.warren.amqp.tls.TlsConfigException;
import io.warren.amqp.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's TLS settings, named after RabbitMQ's {@code ssl_options}: with {@code tls.cert} and {@code tls.key}
 * set, an AMQPS listener opens on {@code amqps.port} beside the plain one ({@code amqp.port = none} leaves
 * only AMQPS), and {@code raft.tls = true} puts the Raft traffic between nodes inside mutually authenticated
 * TLS with the same key, certificate and authorities, and {@code admin.tls = true} serves the admin API over
 * HTTPS with them (client certificates asked for as {@code tls.verify} says).
 *
 * @param certificate PEM certificate chain ({@code ssl_options.certfile}), empty when TLS is off
 * @param key PEM PKCS#8 private key ({@code ssl_options.keyfile})
 * @param authorities PEM authorities peers' certificates must come from ({@code ssl_options.cacertfile})
 * @param versions TLS versions offered ({@code ssl_options.versions})
 * @param ciphers cipher suites offered, empty for the engine's defaults ({@code ssl_options.ciphers})
 * @param verification {@code ssl_options.verify} and {@code ssl_options.fail_if_no_peer_cert}
 * @param engine the TLS implementation of the AMQPS listener
 * @param amqpsPort the AMQPS port, or {@link NodeConfig#NO_PORT} for none (Raft TLS alone)
 * @param certificateLogin which part of a client certificate names the user for SASL EXTERNAL
 *        ({@code ssl_cert_login_from})
 * @param raft mutual TLS between nodes
 * @param admin HTTPS for the admin API
 */
record TlsConfig(Optional<Path> certificate, Optional<Path> key, Optional<Path> authorities, List<String> versions,
        List<String> ciphers, ListenerTls.PeerVerification verification, ListenerTls.Engine engine, int amqpsPort,
        CertificateLogin certificateLogin, boolean raft, boolean admin) {

    /** RabbitMQ's {@code ssl_cert_login_from}. */
    enum CertificateLogin {
        /** The subject's whole distinguished name, most specific part first: {@code CN=client,O=warren}. */
        DISTINGUISHED_NAME,
        /** The subject's common name only. */
        COMMON_NAME
    }

    static final Map<String, String> DEFAULTS = Map.of(
            "amqps.port", "5671",
            "tls.versions", String.join(",", ListenerTls.PROTOCOLS_DEFAULT),
            "tls.verify", "verify_none",
            "tls.fail.if.no.peer.cert", "false",
            "tls.engine", "jdk",
            "ssl.cert.login.from", "distinguished_name",
            "raft.tls", "false",
            "admin.tls", "false");

    static TlsConfig parse(Map<String, String> v, int amqpsPort) throws ConfigException {
        Optional<Path> certificate = path(v, "tls.cert");
        Optional<Path> key = path(v, "tls.key");
        if (certificate.isPresent() != key.isPresent()) {
            throw new ConfigException("tls.cert and tls.key go together: set both or neither");
        }
        Optional<Path> authorities = path(v, "tls.ca");
        boolean failIfNoPeerCert = flag(v, "tls.fail.if.no.peer.cert");
        boolean raft = flag(v, "raft.tls");
        if (raft && (certificate.isEmpty() || authorities.isEmpty())) {
            throw new ConfigException("raft.tls needs tls.cert, tls.key and tls.ca: each node proves itself with its"
                    + " certificate and accepts only peers whose certificates come from tls.ca");
        }
        boolean admin = flag(v, "admin.tls");
        if (admin && certificate.isEmpty()) {
            throw new ConfigException("admin.tls needs tls.cert and tls.key: the admin API serves HTTPS with them");
        }
        try {
            ListenerTls.PeerVerification verification = ListenerTls.PeerVerification.of(v.get("tls.verify"),
                    failIfNoPeerCert);
            if (verification != ListenerTls.PeerVerification.NONE && authorities.isEmpty()) {
                throw new ConfigException("tls.verify verify_peer needs tls.ca: the authorities client certificates"
                        + " must come from");
            }
            return new TlsConfig(certificate, key, authorities, list(v.get("tls.versions")),
                    list(v.getOrDefault("tls.ciphers", "")), verification, ListenerTls.Engine.of(v.get("tls.engine")),
                    amqpsPort, certificateLogin(v.get("ssl.cert.login.from")), raft, admin);
        } catch (TlsConfigException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /** TLS is on for clients: an AMQPS listener is opened (not with {@code amqps.port = none}). */
    boolean listenerEnabled() {
        return certificate.isPresent() && amqpsPort != NodeConfig.NO_PORT;
    }

    /** The key, certificate and authorities, read from their files. */
    TlsMaterial material() throws ConfigException {
        try {
            return TlsMaterial.load(certificate.orElseThrow(), key.orElseThrow(), authorities);
        } catch (TlsConfigException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    ListenerTls listener(TlsMaterial material) {
        return new ListenerTls(material, versions, ciphers, verification, engine);
    }

    private static CertificateLogin certificateLogin(String text) throws ConfigException {
        return switch (text) {
            case "distinguished_name" -> CertificateLogin.DISTINGUISHED_NAME;
            case "common_name" -> CertificateLogin.COMMON_NAME;
            default -> throw new ConfigException("ssl.cert.login.from '" + text
                    + "' must be distinguished_name or common_name");
        };
    }

    private static Optional<Path> path(Map<String, String> v, String key) {
        String text = v.get(key);
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(Path.of(text.trim()));
    }

    private static boolean flag(Map<String, String> v, String key) throws ConfigException {
        String text = v.get(key);
        if (!text.equals("true") && !text.equals("false")) {
            throw new ConfigException(key + " '" + text + "' must be true or false");
        }
        return text.equals("true");
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
