package io.warren.amqp.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A node's TLS identity and the authorities it trusts, read once from PEM files (the form RabbitMQ's
 * {@code certfile}, {@code keyfile} and {@code cacertfile} take) into the JDK's key and trust managers,
 * which the AMQP listener, the Raft transport and the admin endpoint all build on. Every problem with a
 * file is a {@link TlsConfigException} naming the file and what is wrong with it.
 *
 * @param keys this node's private key and certificate chain
 * @param trust the trusted authorities, or empty for the JDK's default ones
 * @param chain the certificate chain as read, the node's own certificate first
 */
public record TlsMaterial(KeyManagerFactory keys, Optional<TrustManagerFactory> trust, List<X509Certificate> chain) {
    private static final String KEY_ALIAS = "warren";

    public TlsMaterial {
        chain = List.copyOf(chain);
    }

    /**
     * @param certificateChain PEM: the node's certificate, then any intermediates
     * @param privateKey PEM: its unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}, openssl's default)
     * @param trusted PEM: the authorities whose certificates peers must present, if any
     */
    public static TlsMaterial load(Path certificateChain, Path privateKey, Optional<Path> trusted)
            throws TlsConfigException {
        List<X509Certificate> chain = certificates(certificateChain);
        PrivateKey key = privateKey(privateKey);
        requireKeyOf(chain.get(0), key, certificateChain, privateKey);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, new char[0], chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
            Optional<TrustManagerFactory> trust = trusted.isEmpty() ? Optional.empty()
                    : Optional.of(trustManagers(trusted.get()));
            return new TlsMaterial(keys, trust, chain);
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigException("key " + privateKey + " does not go with certificate " + certificateChain
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * A JDK context with this identity and these authorities (the JDK's own when none), for the servers and
     * clients that take an {@link SSLContext} rather than Netty's: the admin API and warrenctl.
     */
    public SSLContext jdkContext() throws TlsConfigException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.map(TrustManagerFactory::getTrustManagers).orElse(null), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("cannot set up the JDK's TLS: " + e.getMessage(), e);
        }
    }

    /**
     * The JDK's key store takes any key beside any certificate, and a mismatch would only show as failed
     * handshakes: a probe signed with the key must verify with the certificate's public key.
     */
    private static void requireKeyOf(X509Certificate certificate, PrivateKey key, Path certificateFile,
            Path keyFile) throws TlsConfigException {
        byte[] probe = "warren key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = signature(key.getAlgorithm());
            signer.initSign(key);
            signer.update(probe);
            byte[] signed = signer.sign();
            Signature verifier = signature(key.getAlgorithm());
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signed);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new TlsConfigException("key " + keyFile + " does not go with certificate " + certificateFile
                    + ": the certificate's public key is not the key's (" + key.getAlgorithm() + " key, "
                    + certificate.getPublicKey().getAlgorithm() + " certificate)");
        }
    }

    private static Signature signature(String keyAlgorithm) throws GeneralSecurityException {
        return switch (keyAlgorithm) {
            case "EC" -> Signature.getInstance("SHA256withECDSA");
            case "RSA" -> Signature.getInstance("SHA256withRSA");
            case "RSASSA-PSS" -> {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                yield pss;
            }
            default -> Signature.getInstance(keyAlgorithm); // Ed25519, Ed448: the algorithm is the signature
        };
    }

    /** A trust manager factory for the authorities in {@code trusted} (PEM). */
    public static TrustManagerFactory trustManagers(Path trusted) throws TlsConfigException {
        List<X509Certificate> authorities = certificates(trusted);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("authority-" + i, authorities.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return trust;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigException("cannot trust the certificates in " + trusted + ": " + e.getMessage(), e);
        }
    }

    static List<X509Certificate> certificates(Path file) throws TlsConfigException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (IOException e) {
            throw new TlsConfigException("cannot read certificate file " + file + ": " + e, e);
        } catch (CertificateException e) {
            throw new TlsConfigException("certificate file " + file + " is not PEM X.509: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new TlsConfigException("certificate file " + file + " holds no certificate");
        }
        return certificates;
    }

    static PrivateKey privateKey(Path file) throws TlsConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TlsConfigException("cannot read key file " + file + ": " + e, e);
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new TlsConfigException("key file " + file + " has no unencrypted PKCS#8 key (BEGIN PRIVATE KEY;"
                    + " convert with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
        } catch (IllegalArgumentException e) {
            throw new TlsConfigException("key file " + file + " is not valid base64: " + e.getMessage(), e);
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException notThisOne) {
                // the next algorithm
            }
        }
        throw new TlsConfigException("key file " + file + " holds no EC, RSA or Ed25519 key");
    }
}
