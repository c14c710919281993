package io.warren.node;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a node stands towards its clients and the cluster (DESIGN invariant 5). {@link NodeLiveness} moves
 * between these states through one transition method; every other move is a bug and is refused.
 *
 * <pre>
 *   STARTING            -&gt; AWAITING_MEMBERSHIP | REGISTERING
 *   AWAITING_MEMBERSHIP -&gt; REGISTERING
 *   REGISTERING         -&gt; SERVING | AWAITING_MEMBERSHIP
 *   SERVING             -&gt; SUSPENDED
 *   SUSPENDED           -&gt; REJOINING | NOT_A_MEMBER
 *   NOT_A_MEMBER        -&gt; REJOINING
 *   REJOINING           -&gt; SERVING | NOT_A_MEMBER
 * </pre>
 * Any state may move to CLOSED, which is final.
 */
enum NodeState {
    /** The process has started its Raft server and knows nothing yet. */
    STARTING("node_starting"),
    /** Started, but not a voting member (a newcomer before {@code add_cluster_node} commits): registers nothing. */
    AWAITING_MEMBERSHIP("awaiting_membership"),
    /** A member whose first registration through the log is pending; no client is served yet. */
    REGISTERING("node_registering"),
    /** Registered under an epoch, with contact to a majority: clients are served. */
    SERVING("node_serving"),
    /** Stopped serving: contact lost, epoch ended or state replaced. Clients were closed with 320. */
    SUSPENDED("node_suspended"),
    /** Suspended, and removed from the group (or not yet added back): stays suspended until it is a member. */
    NOT_A_MEMBER("not_a_member"),
    /** Back in contact as a member: a new registration is pending; clients are refused meanwhile. */
    REJOINING("node_rejoining"),
    /** The node is shutting down. */
    CLOSED("node_closed");

    private final String event;

    NodeState(String event) {
        this.event = event;
    }

    /** The states this one may move to (besides CLOSED, which every state but CLOSED may move to). */
    Set<NodeState> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(AWAITING_MEMBERSHIP, REGISTERING);
            case AWAITING_MEMBERSHIP -> EnumSet.of(REGISTERING);
            case REGISTERING -> EnumSet.of(SERVING, AWAITING_MEMBERSHIP);
            case SERVING -> EnumSet.of(SUSPENDED);
            case SUSPENDED -> EnumSet.of(REJOINING, NOT_A_MEMBER);
            case NOT_A_MEMBER -> EnumSet.of(REJOINING);
            case REJOINING -> EnumSet.of(SERVING, NOT_A_MEMBER);
            case CLOSED -> EnumSet.noneOf(NodeState.class);
        };
    }

    boolean mayMoveTo(NodeState to) {
        return this != CLOSED && (to == CLOSED || next().contains(to));
    }

    /** The log event of entering this state from {@code from}: serving again after a suspension is a rejoin. */
    String eventFrom(NodeState from) {
        return this == SERVING && from == REJOINING ? "node_rejoined" : event;
    }

    /** True while clients may be served. */
    boolean serves() {
        return this == SERVING;
    }
}
