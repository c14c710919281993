package io.warren.raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The expiration property read as RabbitMQ 3.10 reads it; every text here is one it sent when probed. */
class MessageExpiryTest {
    private static String refusal(String expiration) {
        Refused refused = assertThrows(Refused.class,
                () -> MessageExpiry.parseExpiration(expiration, AmqpMethod.BASIC_PUBLISH));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, refused.toRefusal().getCode());
        return refused.toRefusal().getText();
    }

    @Test
    void shouldReadWhatErlangsToIntegerReads() {
        assertEquals(5, MessageExpiry.parseExpiration("+5", AmqpMethod.BASIC_PUBLISH));
        assertEquals(0, MessageExpiry.parseExpiration("-0", AmqpMethod.BASIC_PUBLISH));
        assertEquals(7, MessageExpiry.parseExpiration("007", AmqpMethod.BASIC_PUBLISH));
        assertEquals(4_294_967_296L, MessageExpiry.parseExpiration("4294967296", AmqpMethod.BASIC_PUBLISH));
        assertEquals(MessageExpiry.TTL_MAX, MessageExpiry.parseExpiration("315360000000", AmqpMethod.BASIC_PUBLISH));
    }

    @Test
    void shouldRefuseWithRabbitMqsTexts() {
        assertEquals("invalid expiration 'abc': no_integer", refusal("abc"));
        assertEquals("invalid expiration '': no_integer", refusal(""));
        assertEquals("invalid expiration ' 5': no_integer", refusal(" 5"));
        assertEquals("invalid expiration '-1': {value_negative,-1}", refusal("-1"));
        assertEquals("invalid expiration '1.5': {leftover_string,\".5\"}", refusal("1.5"));
        assertEquals("invalid expiration '5 ': {leftover_string,\" \"}", refusal("5 "));
        assertEquals("invalid expiration '0x10': {leftover_string,\"x10\"}", refusal("0x10"));
        assertEquals("invalid expiration '315360000001': {value_too_large,315360000001}", refusal("315360000001"));
    }

    @Test
    void shouldBreakATermThatDoesNotFitTheLineAsErlangPrintsIt() {
        // Erlang's ~p, at column 43 of an 80-column line: the value goes under the tag, one column in
        assertEquals("invalid expiration '99999999999999999999': {value_too_large,\n" + " ".repeat(44)
                + "99999999999999999999}", refusal("99999999999999999999"));
    }

    @Test
    void shouldTakeTheSmallerTtl() {
        assertEquals(MessageExpiry.NEVER, MessageExpiry.expiresAt(1_000, -1, -1));
        assertEquals(1_100, MessageExpiry.expiresAt(1_000, 100, -1));
        assertEquals(1_050, MessageExpiry.expiresAt(1_000, 100, 50));
        assertEquals(1_000, MessageExpiry.expiresAt(1_000, -1, 0));
    }
}
