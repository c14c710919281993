package io.warren.node;

import io.warren.raft.ratis.WarrenStateMachine;

/**
 * Runs {@link WarrenStateMachine#housekeep} once a second: snapshots due by settled bytes or time, store
 * reclaim behind the newest snapshot, superseded snapshots let go. Ratis asks for snapshots only after
 * applying entries, so without this a node that went idle after a drain would keep the drained disk.
 */
final class StoreHousekeeper implements AutoCloseable {
    private static final long EVERY_MS = 1_000;

    private final Ticker ticker;

    StoreHousekeeper(WarrenStateMachine stateMachine) {
        this.ticker = new Ticker("warren-housekeeping", EVERY_MS, stateMachine::housekeep);
    }

    void start() {
        ticker.start();
    }

    @Override
    public void close() {
        ticker.close();
    }
}
