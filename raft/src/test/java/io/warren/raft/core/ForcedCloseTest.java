package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An operator's close of a client connection (the management API's DELETE /api/connections/{name}): the
 * core lets go of the connection as if its client had closed it (its unacked deliveries go back, marked
 * redelivered) and tells the connection's node to close the client with the reason; a connection that is
 * not there is refused with 404 and tells no node anything.
 */
class ForcedCloseTest {
    private final CoreDriver driver = new CoreDriver();

    @Test
    void shouldLetGoOfTheConnectionAndTellItsNodeTheReason() {
        CoreDriver.Connection connection = driver.connect();
        CoreDriver.Channel channel = connection.channel();
        channel.ok(Commands.declareQueue("q"));
        channel.publish("", "q", "m1");
        Reply got = channel.ok(Commands.get("q", false));
        assertTrue(got.hasGotMessage());
        driver.register("n2");
        List<Effect> effects = driver.submit("n2", Commands.forceCloseConnection(connection.ref, "Closed via"
                + " management plugin").setRequest(99).build());
        Effect.ForceCloseConnection close = effects.stream().filter(Effect.ForceCloseConnection.class::isInstance)
                .map(Effect.ForceCloseConnection.class::cast).findFirst().orElseThrow();
        assertEquals(connection.ref, close.connection());
        assertEquals("n1", close.node(), "performed by the node that holds the connection");
        assertEquals("Closed via management plugin", close.reason());
        assertTrue(driver.core.queries().connections().isEmpty());
        CoreDriver.Channel other = driver.connect().channel();
        Reply again = other.ok(Commands.get("q", true));
        assertTrue(again.getGotMessage().getRedelivered(), "the unacked delivery went back");
    }

    @Test
    void shouldRefuseToCloseAConnectionThatIsNotThere() {
        CoreDriver.Connection connection = driver.connect();
        connection.close();
        driver.register("n2");
        Reply refused = driver.call("n2", Commands.forceCloseConnection(connection.ref, "gone"));
        assertEquals(ReplyCodes.NOT_FOUND, refused.getRefusal().getCode());
        assertFalse(driver.submit("n2", Commands.forceCloseConnection(connection.ref, "gone").build()).stream()
                .anyMatch(Effect.ForceCloseConnection.class::isInstance));
    }
}
