package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sender-selected distribution and user_id in the core, as RabbitMQ 3.10 showed them when probed: the keys
 * of the CC and BCC headers route a message as its routing key does, each queue once; a CC that is not an
 * array, or a user_id other than the login user's, closes the channel with 406, also when unroutable.
 */
class SenderSelectedTest {
    private final CoreDriver driver = new CoreDriver();
    private final CoreDriver.Channel ch = driver.connect().channel();

    private int ready(String queue) {
        return ch.ok(declareQueuePassive(queue)).getQueueDeclared().getMessageCount();
    }

    private static Effect.CloseChannel closeOf(List<Effect> effects) {
        return effects.stream().filter(Effect.CloseChannel.class::isInstance).map(Effect.CloseChannel.class::cast)
                .findFirst().orElseThrow();
    }

    @Test
    void ccAndBccKeysRouteTooAndEachQueueTakesTheMessageOnce() {
        for (String q : List.of("a", "b", "c")) {
            ch.ok(declareWith(q));
            ch.ok(bind(q, "amq.direct", q));
        }
        ch.send(publish("amq.direct", "a", "m", false, 0, table("CC", List.of("b"), "BCC", List.of("c")), true));
        ch.send(publish("amq.direct", "zz", "m3", false, 0, table("CC", List.of("a", "a", "b")), true));
        assertEquals(2, ready("a"));
        assertEquals(2, ready("b"));
        assertEquals(1, ready("c"));
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aCcThatIsNotAnArrayIs406() {
        ch.ok(declareWith("a"));
        Effect.CloseChannel close = closeOf(ch.send(publish("", "a", "m", false, 0, table("CC", "b"), true)));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, close.refusal().getCode());
        assertEquals("invalid message: {unacceptable_type_in_header,\"CC\",longstr}", close.refusal().getText());
        assertEquals(0, driver.connect().channel().ok(declareQueuePassive("a")).getQueueDeclared().getMessageCount());
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void aUserIdOtherThanTheLoginUsersIs406EvenUnroutable() {
        Command.Builder publish = publish("", "nowhere", "m", false, 0);
        publish.getPublishBuilder().setUserId("bob");
        Effect.CloseChannel close = closeOf(ch.send(publish));
        assertEquals("user_id property set to 'bob' but authenticated user was 'guest'", close.refusal().getText());
        var other = driver.connect().channel();
        other.ok(declareWith("q"));
        Command.Builder own = publish("", "q", "m", false, 0);
        own.getPublishBuilder().setUserId("guest");
        other.send(own);
        Reply count = other.ok(declareQueuePassive("q"));
        assertEquals(1, count.getQueueDeclared().getMessageCount(), "the login user's own name is fine");
        driver.checkNoStoredMessageLeaks();
    }
}
