package io.warren.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Password hashing in RabbitMQ's salted SHA-256 layout, and guest's loopback-only rule. */
class CoreAuthenticatorTest {

    @Test
    void shouldMatchOnlyTheRightPasswordAgainstASaltedHash() {
        byte[] stored = CoreAuthenticator.hash(new byte[] {1, 2, 3, 4}, "s3cret");
        assertTrue(CoreAuthenticator.passwordMatches(stored, "s3cret"));
        assertFalse(CoreAuthenticator.passwordMatches(stored, "s3cret "));
        assertFalse(CoreAuthenticator.passwordMatches(new byte[0], ""), "no stored hash: no password login");
    }

    @Test
    void shouldTreatOnlyLoopbackAddressesAsLocal() {
        assertTrue(CoreAuthenticator.isLoopback(new InetSocketAddress("127.0.0.1", 1)));
        assertTrue(CoreAuthenticator.isLoopback(new InetSocketAddress("::1", 1)));
        assertFalse(CoreAuthenticator.isLoopback(new InetSocketAddress("10.1.2.3", 1)));
    }

    @Test
    void shouldKeepTheBuiltInGuestHashInRabbitMqLayout() {
        byte[] guest = io.warren.raft.core.BrokerCore.initial().queries().user("guest").orElseThrow()
                .passwordHash().toByteArray();
        assertTrue(CoreAuthenticator.passwordMatches(guest, "guest"));
    }
}
