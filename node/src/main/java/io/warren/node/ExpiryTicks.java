package io.warren.node;

import io.warren.raft.core.Commands;
import io.warren.raft.ratis.CommandSubmitter;
import io.warren.raft.ratis.RaftNode;
import io.warren.raft.ratis.WarrenStateMachine;

/**
 * Time for message TTLs reaches the core only in commands (DESIGN invariant 1): on the leader, once its clock
 * is past the earliest expiry the core knows of, this sends a Tick, whose entry carries the leader's time, so
 * every node drops the same expired messages at the same log index. That keeps an idle queue's TTL (nothing
 * else would be applied to it), as RabbitMQ's timer does. Looked at every {@value #POLL_MS} ms; a Tick not
 * applied within {@value #RESEND_AFTER_MS} ms (lost with a leader change) is sent again.
 */
final class ExpiryTicks implements AutoCloseable {
    static final long POLL_MS = 20;
    static final long RESEND_AFTER_MS = 1_000;

    /** What the ticks read and do: the seams, so a test drives them. */
    interface Seams {
        long nowMs();

        /** The core's earliest head expiry as of the last apply; {@code Long.MAX_VALUE} for none. */
        long earliestExpiryMs();

        boolean isLeader();

        void submitTick();
    }

    private final Seams seams;
    private final Ticker ticker;
    /** The earliest expiry the last Tick was sent for, and when; touched by the ticker thread only. */
    private long sentFor = Long.MIN_VALUE;
    private long sentAtMs;

    ExpiryTicks(Seams seams) {
        this.seams = seams;
        this.ticker = new Ticker("warren-expiry", POLL_MS, this::poll);
    }

    /** The node's own: the wall clock, the state machine's figure, Raft's role and the submitter. */
    static Seams of(WarrenStateMachine stateMachine, RaftNode raft, CommandSubmitter submitter) {
        return new Seams() {
            @Override
            public long nowMs() {
                return System.currentTimeMillis(); // the clock the leader stamps entries with
            }

            @Override
            public long earliestExpiryMs() {
                return stateMachine.earliestExpiryMs();
            }

            @Override
            public boolean isLeader() {
                return raft.leaderReady();
            }

            @Override
            public void submitTick() {
                submitter.submit(Commands.tick().build());
            }
        };
    }

    void start() {
        ticker.start();
    }

    /** One look: a Tick when an expiry is due, this node leads, and none is already on its way for it. */
    void poll() {
        long earliest = seams.earliestExpiryMs();
        if (earliest == Long.MAX_VALUE) {
            return;
        }
        long now = seams.nowMs();
        if (now <= earliest) {
            return; // expired means the clock is past the expiry, as the core decides it
        }
        if (earliest == sentFor && now - sentAtMs < RESEND_AFTER_MS) {
            return;
        }
        if (!seams.isLeader()) {
            return;
        }
        seams.submitTick();
        sentFor = earliest;
        sentAtMs = now;
    }

    @Override
    public void close() {
        ticker.close();
    }
}
