package io.warren.amqp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import com.rabbitmq.client.impl.ValueReader;
import com.rabbitmq.client.impl.ValueWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Goal: field tables carry every value type RabbitMQ's clients send (t b B s u I i l f d D S x A T F V),
 * nested tables and arrays, exactly as the RabbitMQ Java client reads and writes them. Method: single
 * entry tables written by the client's {@code ValueWriter} are decoded by Warren to the expected tagged
 * value and re-encoded to the same bytes; Warren's encodings are read back by the client's
 * {@code ValueReader}. Malformed tables are refused with the documented reply codes.
 */
class FieldTableCodecTest {

    record Case(String name, Object theirs, FieldValue ours) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> clientWritableValues() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("k", "v");
        return List.of(
                new Case("t", true, new FieldValue.Bool(true)),
                new Case("b", (byte) -5, new FieldValue.Int8((byte) -5)),
                new Case("s", (short) -300, new FieldValue.Int16((short) -300)),
                new Case("I", -70000, new FieldValue.Int32(-70000)),
                new Case("l", Long.MIN_VALUE, new FieldValue.Int64(Long.MIN_VALUE)),
                new Case("f", 1.5f, new FieldValue.Float32(1.5f)),
                new Case("d", -2.25d, new FieldValue.Float64(-2.25d)),
                new Case("D", new BigDecimal("-12.345"), new FieldValue.Decimal(3, -12345)),
                new Case("S string", "héllo", FieldValue.Text.of("héllo")),
                new Case("S long string", LongStringHelper.asLongString("raw"), FieldValue.Text.of("raw")),
                new Case("x", new byte[] {0, 1, (byte) 0xFF}, new FieldValue.Bytes(io.warren.amqp.codec.LongString.of(
                        new byte[] {0, 1, (byte) 0xFF}))),
                new Case("A", List.of(1, "two", List.of(true)), new FieldValue.Array(List.of(new FieldValue.Int32(1),
                        FieldValue.Text.of("two"), new FieldValue.Array(List.of(new FieldValue.Bool(true)))))),
                new Case("T", new Date(1_700_000_000_000L), new FieldValue.Timestamp(1_700_000_000L)),
                new Case("F", nested, new FieldValue.Table(FieldTable.builder().put("k", "v").build())),
                new Case("V", null, FieldValue.Void.INSTANCE));
    }

    static byte[] theirTableBytes(Map<String, Object> table) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        new ValueWriter(out).writeTable(table);
        out.flush();
        return bytes.toByteArray();
    }

    static byte[] ourTableBytes(FieldTable table) {
        ByteBuf buf = Unpooled.buffer();
        MethodArgumentsWriter writer = new MethodArgumentsWriter(buf);
        writer.writeTable(table);
        writer.finish();
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    static FieldTable ourRead(byte[] bytes) {
        MethodArgumentsReader reader = new MethodArgumentsReader(Unpooled.wrappedBuffer(bytes));
        FieldTable table = reader.readTable();
        assertEquals(true, reader.isFullyRead());
        return table;
    }

    static Map<String, Object> theirRead(byte[] bytes) throws IOException {
        return new ValueReader(new DataInputStream(new ByteArrayInputStream(bytes))).readTable();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientWritableValues")
    void shouldDecodeEachTypeTheJavaClientWritesAndEncodeItBackIdentically(Case c) throws IOException {
        Map<String, Object> theirs = new LinkedHashMap<>();
        theirs.put("key", c.theirs());
        byte[] bytes = theirTableBytes(theirs);
        FieldTable decoded = ourRead(bytes);
        assertEquals(c.ours(), decoded.get("key"));
        assertArrayEquals(bytes, ourTableBytes(decoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientWritableValues")
    void shouldBeReadByTheJavaClient(Case c) throws IOException {
        byte[] ours = ourTableBytes(FieldTable.builder().put("key", c.ours()).build());
        Map<String, Object> read = theirRead(ours);
        Object value = read.get("key");
        Map<String, Object> again = new LinkedHashMap<>();
        again.put("key", value);
        // The client keeps long strings as LongString and re-encodes what it read unchanged.
        assertArrayEquals(ours, theirTableBytes(again));
    }

    @Test
    void shouldCarryTheUnsignedTypesTheJavaClientOnlyReads() throws IOException {
        FieldTable table = FieldTable.builder()
                .put("B", new FieldValue.UInt8(200))
                .put("u", new FieldValue.UInt16(60000))
                .put("i", new FieldValue.UInt32(4_000_000_000L))
                .build();
        byte[] bytes = ourTableBytes(table);
        Map<String, Object> read = theirRead(bytes);
        assertEquals(200, ((Number) read.get("B")).intValue() & 0xFF);
        assertEquals(60000, ((Number) read.get("u")).intValue() & 0xFFFF);
        assertEquals(4_000_000_000L, ((Number) read.get("i")).longValue() & 0xFFFF_FFFFL);
        assertEquals(table, ourRead(bytes));
        assertArrayEquals(bytes, ourTableBytes(ourRead(bytes)));
    }

    @Test
    void shouldKeepManyEntriesAndDeepNesting() throws IOException {
        Map<String, Object> level3 = new LinkedHashMap<>(Map.of("deep", List.of(List.of(Map.of("x", 1L)))));
        Map<String, Object> theirs = new LinkedHashMap<>();
        theirs.put("a", 1);
        theirs.put("b", "two");
        theirs.put("c", level3);
        theirs.put("d", Arrays.asList(null, 3.0, new byte[0]));
        byte[] bytes = theirTableBytes(theirs);
        FieldTable ours = ourRead(bytes);
        assertEquals(4, ours.size());
        assertArrayEquals(bytes, ourTableBytes(ours));
        Map<String, Object> back = theirRead(ourTableBytes(ours));
        assertEquals(theirs.keySet(), back.keySet());
        assertEquals("two", back.get("b").toString());
    }

    @Test
    void shouldRefuseAnUnknownTypeTagWithSyntaxError() {
        byte[] bytes = {0, 0, 0, 6, 1, 'k', 'Z', 0, 0, 0};
        AmqpException e = assertThrows(AmqpException.class, () -> ourRead(bytes));
        assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
    }

    @Test
    void shouldRefuseTablesNestedDeeperThanTheLimit() {
        FieldTable table = FieldTable.EMPTY;
        for (int i = 0; i < MethodArgumentsReader.TABLE_DEPTH_MAX + 1; i++) {
            table = FieldTable.builder().put("n", table).build();
        }
        byte[] bytes = ourTableBytes(table);
        AmqpException e = assertThrows(AmqpException.class, () -> ourRead(bytes));
        assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
    }

    @Test
    void shouldRefuseATableThatClaimsMoreBytesThanTheFrameHasWithFrameError() {
        byte[] bytes = {0, 0, 0, 50, 1, 'k', 'I', 0, 0, 0, 1};
        AmqpException e = assertThrows(AmqpException.class, () -> ourRead(bytes));
        assertEquals(ReplyCode.FRAME_ERROR, e.replyCode());
    }

    @Test
    void shouldRefuseAValueCutShortInsideItsTableWithFrameError() {
        byte[] bytes = {0, 0, 0, 5, 1, 'k', 'I', 0, 0};
        AmqpException e = assertThrows(AmqpException.class, () -> ourRead(bytes));
        assertEquals(ReplyCode.FRAME_ERROR, e.replyCode());
    }

    @Test
    void shouldRefuseShortStringsOverTwoHundredFiftyFiveBytes() {
        String longName = "q".repeat(256);
        assertThrows(IllegalArgumentException.class, () -> new io.warren.amqp.method.QueueMethod.Declare(
                longName, false, false, false, false, false, FieldTable.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> FieldTable.builder().put(longName, "v").build());
        ByteBuf buf = Unpooled.buffer();
        MethodArgumentsWriter writer = new MethodArgumentsWriter(buf);
        assertThrows(IllegalArgumentException.class, () -> writer.writeShortString("é".repeat(128)));
        // 255 bytes is the most a short string can hold, and is fine.
        writer.writeShortString("q".repeat(255));
        assertEquals(256, buf.readableBytes());
    }

    @Test
    void shouldReadTheJavaClientsLongStringsAsBytes() throws IOException {
        LongString raw = LongStringHelper.asLongString(new byte[] {(byte) 0xC3, 0x28});
        Map<String, Object> theirs = Map.of("bin", raw);
        FieldTable ours = ourRead(theirTableBytes(theirs));
        FieldValue.Text text = (FieldValue.Text) ours.get("bin");
        // Invalid UTF-8 survives: long strings are bytes, not text.
        assertArrayEquals(new byte[] {(byte) 0xC3, 0x28}, text.value().toByteArray());
        assertArrayEquals(theirTableBytes(theirs), ourTableBytes(ours));
    }
}
