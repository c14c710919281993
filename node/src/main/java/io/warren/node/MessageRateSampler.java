package io.warren.node;

import io.warren.node.management.MessageRates;
import io.warren.raft.ratis.WarrenStateMachine;

/**
 * Samples the applied state's message counts and queue depths once per statistics interval into
 * {@link MessageRates}, for the management API's rates. Every node applies the same log, so every node's
 * rates are the cluster's.
 */
final class MessageRateSampler implements AutoCloseable {
    private final WarrenStateMachine stateMachine;
    private final MessageRates rates = new MessageRates();
    private final Ticker ticker;

    MessageRateSampler(WarrenStateMachine stateMachine) {
        this.stateMachine = stateMachine;
        this.ticker = new Ticker("warren-message-rates", MessageRates.INTERVAL_MS, this::sample);
    }

    void start() {
        sample();
        ticker.start();
    }

    MessageRates rates() {
        return rates;
    }

    private void sample() {
        long now = System.currentTimeMillis();
        stateMachine.query(q -> {
            rates.sample(now, q);
            return null;
        });
    }

    @Override
    public void close() {
        ticker.close();
    }
}
