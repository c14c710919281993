package io.warren.raft.core;

import com.google.protobuf.ByteString;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * Everything the replicated broker knows. Only {@link BrokerCore#apply} changes it, on one thread.
 * Every map iterates in a defined order (sorted, or insertion order set by the log), so two nodes that
 * applied the same log hold the same state and write the same snapshot bytes.
 */
final class BrokerState {
    /** SHA-256 salted hash of "guest" under the fixed salt 0x908D_C60A, RabbitMQ's default user. */
    static final ByteString GUEST_PASSWORD_HASH = ByteString.fromHex(
            "908dc60a" + "bb3004b3594331c927de502e8c9f015a286219ef7fb8dbaa25bd063398525a1e");

    final TreeMap<String, NodeRecord> nodes = new TreeMap<>();
    final AccessControl access = new AccessControl();
    final TreeMap<String, VhostState> vhosts = new TreeMap<>();
    final LinkedHashMap<ConnectionKey, ConnectionState> connections = new LinkedHashMap<>();
    final LinkedHashMap<ChannelKey, ChannelState> channels = new LinkedHashMap<>();
    long nextQueueIncarnation = 1;
    long nextConsumerId = 1;
    final MessageReferences references = new MessageReferences();
    long appliedIndex;
    /**
     * The core's clock, in ms since the epoch: the latest leader time of an applied entry, never going back
     * (a new leader's clock may be behind the last one's). Expiry is decided against it alone, so every
     * node expires the same messages at the same log index.
     */
    long clockMs;
    /**
     * At or before the earliest expiry of any queue's head ({@link MessageExpiry#NEVER}: none expires): the
     * leader ticks once its clock is past it. Not replicated state (no decision reads it), so not in
     * snapshots: a loaded state starts at 0, and the first tick finds it exactly.
     */
    long earliestExpiryMs = MessageExpiry.NEVER;
    /** The whole broker's message counts (management statistics; not in snapshots, see MessageTotals). */
    final MessageTotals totals = new MessageTotals();
    long appliedTerm;
    /** Messages that died into a dead-letter exchange and wait for the leader's copy. */
    final DeadLetters deadLetters = new DeadLetters(
            deadline -> earliestExpiryMs = Math.min(earliestExpiryMs, deadline));
    /** Messages delayed exchanges hold until they are due. */
    final DelayedMessages delayed = new DelayedMessages(
            deadline -> earliestExpiryMs = Math.min(earliestExpiryMs, deadline));

    /** A fresh broker, as RabbitMQ's first boot makes it: vhost "/" and user guest with full rights there. */
    static BrokerState initial() {
        BrokerState state = new BrokerState();
        state.vhosts.put("/", VhostState.withStandardExchanges("/"));
        state.access.users.put("guest", new UserRecord("guest", GUEST_PASSWORD_HASH, List.of("administrator")));
        state.access.permissions.put(AccessControl.key("guest", "/"),
                new Permission("guest", "/", ".*", ".*", ".*"));
        return state;
    }

    /** An empty state to load a snapshot into. */
    static BrokerState empty() {
        return new BrokerState();
    }
}
