package io.warren.node.testing;

import org.junit.jupiter.api.Test;

/**
 * The tutorial scenarios as JUnit tests, for one node and for a cluster alike: a subclass says where
 * the publishers and the consumers connect.
 */
public abstract class TutorialScenarios {

    protected abstract JavaTutorials tutorials();

    @Test
    void helloWorld() throws Exception {
        tutorials().helloWorld();
    }

    @Test
    void workQueuesWithFairDispatchAndRedeliveryWhenAWorkerDies() throws Exception {
        tutorials().workQueues();
    }

    @Test
    void publishSubscribe() throws Exception {
        tutorials().publishSubscribe();
    }

    @Test
    void routing() throws Exception {
        tutorials().routing();
    }

    @Test
    void topics() throws Exception {
        tutorials().topics();
    }

    @Test
    void rpcWithSeveralClientsAtOnce() throws Exception {
        tutorials().rpc();
    }

    @Test
    void headersExchange() throws Exception {
        tutorials().headers();
    }
}
