package io.warren.node;

import io.warren.node.testing.ClientPair;
import io.warren.node.testing.PikaTutorials;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13 seen by pika: src/test/resources/pika/lifecycle.py publishes on node 1 and consumes on node 2 of
 * three, asserting what a pika application sees of TTLs, queue expiry, length limits, dead-lettering and the
 * delivery limit. Runs against RabbitMQ 3.10 in reference mode too.
 */
@Tag("reference")
class PikaLifecycleClientTest {
    @RegisterExtension
    static final ClientPair CLIENTS = new ClientPair("pika-lifecycle");
    private static PikaTutorials pika;

    @BeforeAll
    static void preparePika() throws Exception {
        pika = PikaTutorials.prepare("lifecycle.py");
    }

    private static void run(String scenario) throws Exception {
        pika.run(scenario, CLIENTS.broker().factory(1).getPort(), CLIENTS.broker().factory(2).getPort());
    }

    @Test
    void aRejectedJobRetriesThroughATtlQueueWithItsDeathsCounted() throws Exception {
        run("retry_with_ttl_and_dead_letter_exchange");
    }

    @Test
    void aMessagesOwnExpirationDeadLettersIt() throws Exception {
        run("per_message_expiration_dead_lettered");
    }

    @Test
    void maxLengthDeadLettersTheOldest() throws Exception {
        run("max_length_drop_head_dead_letters_the_oldest");
    }

    @Test
    void rejectPublishNacksThePublisher() throws Exception {
        run("reject_publish_nacks_the_publisher");
    }

    @Test
    void theDeliveryLimitDeadLettersAPoisonMessage() throws Exception {
        run("delivery_limit_dead_letters_a_poison_message");
    }

    @Test
    void anUnusedQueueExpires() throws Exception {
        run("queue_expiry_deletes_an_unused_queue");
    }
}
