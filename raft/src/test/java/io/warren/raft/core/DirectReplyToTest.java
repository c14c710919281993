package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Command;
import io.warren.proto.Consume;
import io.warren.proto.Reply;
import io.warren.proto.SnapshotRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Direct reply-to in the core: a no-ack consumer on amq.rabbitmq.reply-to gives its channel a reply address,
 * a message published to that address (from any node) is delivered to it and held nowhere, and the errors
 * RabbitMQ 3.10 gives (probed with pika). DirectReplyToClientTest holds the same against RabbitMQ.
 */
class DirectReplyToTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel requester = driver.connect().channel();
    private final CoreDriver.Channel responder;

    DirectReplyToTest() {
        driver.register("n2");
        responder = driver.connect("n2", "guest", "/").channel();
    }

    private static Command.Builder consumeReplies(String tag, boolean noAck, String key) {
        return Command.newBuilder().setConsume(Consume.newBuilder().setQueue(DirectReplyTo.QUEUE).setConsumerTag(tag)
                .setNoAck(noAck).setReplyKey(key));
    }

    private String address(String key) {
        return DirectReplyTo.address(requester.ref, key);
    }

    private List<Effect.Deliver> replies() {
        return requester.deliveries();
    }

    @Test
    void aReplyToTheAddressReachesTheReplyConsumerAndIsHeldNowhere() {
        Reply started = requester.ok(consumeReplies("replies", true, "secret"));
        assertEquals("replies", started.getConsumerStarted().getConsumerTag());
        responder.publishConfirmed("", address("secret"), "answer");
        assertEquals(1, replies().size());
        Effect.Deliver reply = replies().getFirst();
        assertEquals("replies", reply.consumerTag());
        assertEquals("answer", driver.body(reply.messageKey()));
        assertEquals(-1, reply.deliveryCount());
        assertTrue(driver.effects.stream().anyMatch(e -> e instanceof Effect.Confirm c && c.ack()), "confirmed");
        driver.checkNoStoredMessageLeaks();
        assertEquals(0, driver.core.liveMessageKeys().length, "in no queue");
    }

    @Test
    void aReplyConsumerMustNotAckAndThereIsOnePerChannel() {
        Reply acking = requester.call(consumeReplies("r", false, "k"));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, acking.getRefusal().getCode());
        assertEquals("reply consumer cannot acknowledge", acking.getRefusal().getText());
        CoreDriver.Channel other = driver.connect().channel();
        other.ok(consumeReplies("r1", true, "k"));
        Reply second = other.call(consumeReplies("r2", true, "k2"));
        assertEquals("reply consumer already set", second.getRefusal().getText());
    }

    @Test
    void aReplyToAWrongKeyOrAGoneChannelGoesNowhereAndIsReturnedWhenMandatory() {
        requester.ok(consumeReplies("replies", true, "secret"));
        responder.send(CommandFixtures.publish("", address("guessed"), "forged", true, 0));
        assertEquals(0, replies().size());
        assertTrue(driver.effects.stream().anyMatch(e -> e instanceof Effect.Return r && r.replyCode() == 312));
        requester.ok(closeChannel());
        int returns = (int) driver.effects.stream().filter(e -> e instanceof Effect.Return).count();
        responder.send(CommandFixtures.publish("", address("secret"), "late", true, 0));
        assertEquals(returns + 1, driver.effects.stream().filter(e -> e instanceof Effect.Return).count());
        responder.send(CommandFixtures.publish("", "amq.rabbitmq.reply-to.not-base64!.x", "garbage", false, 0));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void cancellingTheReplyConsumerEndsTheAddress() {
        requester.ok(consumeReplies("replies", true, "secret"));
        requester.ok(cancel("replies"));
        responder.publish("", address("secret"), "late");
        assertEquals(0, replies().size());
        requester.ok(consumeReplies("again", true, "other"));
        responder.publish("", address("other"), "answer");
        assertEquals("again", replies().getFirst().consumerTag());
    }

    @Test
    void aPassiveDeclareFindsThePseudoQueueAndALiveAddressOnly() {
        Reply pseudo = responder.ok(declareQueuePassive(DirectReplyTo.QUEUE));
        assertEquals(0, pseudo.getQueueDeclared().getMessageCount());
        assertEquals(1, pseudo.getQueueDeclared().getConsumerCount());
        requester.ok(consumeReplies("replies", true, "secret"));
        assertEquals(address("secret"), responder.ok(declareQueuePassive(address("secret"))).getQueueDeclared()
                .getQueue());
        Reply unknown = driver.connect().channel().call(declareQueuePassive(address("other")));
        assertEquals(ReplyCodes.NOT_FOUND, unknown.getRefusal().getCode());
    }

    @Test
    void theReplyConsumerSurvivesASnapshot() {
        requester.ok(consumeReplies("replies", true, "secret"));
        List<SnapshotRecord> records = new ArrayList<>();
        SnapshotRecords.write(driver.core, records::add);
        driver.core = SnapshotLoader.load(records.iterator());
        responder.publish("", address("secret"), "answer");
        assertEquals(1, replies().size());
    }
}
