package io.warren.amqp.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.AMQContentHeader;
import com.rabbitmq.client.impl.AMQImpl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Date;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: all 14 basic content properties, with their flag bits, are read and written as the RabbitMQ
 * Java client does. Method: the full set and 500 seeded random subsets are encoded by the client and
 * decoded by Warren (and the other way), comparing values and bytes.
 */
class BasicPropertiesCodecTest {
    private static final long SEED = 20261122L;

    static AMQP.BasicProperties theirs(boolean[] present) {
        AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder();
        if (present[0]) b.contentType("application/json");
        if (present[1]) b.contentEncoding("gzip");
        if (present[2]) b.headers(Map.of("x-trace", "abc"));
        if (present[3]) b.deliveryMode(2);
        if (present[4]) b.priority(9);
        if (present[5]) b.correlationId("corr-1");
        if (present[6]) b.replyTo("amq.gen-reply");
        if (present[7]) b.expiration("60000");
        if (present[8]) b.messageId("msg-1");
        if (present[9]) b.timestamp(new Date(1_700_000_000_000L));
        if (present[10]) b.type("order.created");
        if (present[11]) b.userId("guest");
        if (present[12]) b.appId("shop");
        if (present[13]) b.clusterId("c1");
        return b.build();
    }

    static BasicProperties ours(boolean[] p) {
        return new BasicProperties(
                p[0] ? "application/json" : null, p[1] ? "gzip" : null,
                p[2] ? FieldTable.builder().put("x-trace", "abc").build() : null,
                p[3] ? 2 : null, p[4] ? 9 : null, p[5] ? "corr-1" : null, p[6] ? "amq.gen-reply" : null,
                p[7] ? "60000" : null, p[8] ? "msg-1" : null, p[9] ? 1_700_000_000L : null,
                p[10] ? "order.created" : null, p[11] ? "guest" : null, p[12] ? "shop" : null, p[13] ? "c1" : null);
    }

    /** The property list of the client's content header: skip class id, weight and body size. */
    static byte[] theirPropertyBytes(AMQP.BasicProperties properties) throws IOException {
        byte[] payload = properties.toFrame(1, 10).getPayload();
        return java.util.Arrays.copyOfRange(payload, 12, payload.length);
    }

    static byte[] ourPropertyBytes(BasicProperties properties) {
        ByteBuf buf = Unpooled.buffer();
        BasicPropertiesCodec.write(properties, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    private void checkBothWays(boolean[] present) throws IOException {
        AMQP.BasicProperties theirs = theirs(present);
        BasicProperties ours = ours(present);
        byte[] theirBytes = theirPropertyBytes(theirs);
        assertArrayEquals(theirBytes, ourPropertyBytes(ours));
        assertEquals(ours, BasicPropertiesCodec.read(Unpooled.wrappedBuffer(theirBytes)));
        ByteBuf header = Unpooled.buffer().writeShort(60).writeShort(0).writeLong(10);
        header.writeBytes(ourPropertyBytes(ours));
        byte[] headerBytes = new byte[header.readableBytes()];
        header.readBytes(headerBytes);
        AMQContentHeader decoded = AMQImpl.readContentHeaderFrom(new DataInputStream(new ByteArrayInputStream(headerBytes)));
        assertEquals(theirs.toString(), decoded.toString());
    }

    @Test
    void shouldAgreeWithTheJavaClientOnAllFourteenProperties() throws IOException {
        boolean[] all = new boolean[14];
        java.util.Arrays.fill(all, true);
        checkBothWays(all);
        checkBothWays(new boolean[14]);
    }

    @Test
    void shouldAgreeWithTheJavaClientOnRandomSubsets() throws IOException {
        Random random = new Random(SEED);
        for (int i = 0; i < 500; i++) {
            boolean[] present = new boolean[14];
            for (int p = 0; p < 14; p++) {
                present[p] = random.nextBoolean();
            }
            checkBothWays(present);
        }
    }

    @Test
    void shouldRefuseAContinuationFlagWithSyntaxError() {
        AmqpException e = assertThrows(AmqpException.class,
                () -> BasicPropertiesCodec.read(Unpooled.wrappedBuffer(new byte[] {0, 1})));
        assertEquals(ReplyCode.SYNTAX_ERROR, e.replyCode());
    }

    @Test
    void shouldRefuseAPropertyListCutShortWithFrameError() {
        // content-type flag set, but the short string's bytes are missing
        AmqpException e = assertThrows(AmqpException.class,
                () -> BasicPropertiesCodec.read(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0, 5, 'a'})));
        assertEquals(ReplyCode.FRAME_ERROR, e.replyCode());
    }

    @Test
    void shouldRefuseBytesAfterTheLastPropertyWithFrameError() {
        AmqpException e = assertThrows(AmqpException.class,
                () -> BasicPropertiesCodec.read(Unpooled.wrappedBuffer(new byte[] {0, 0, 42})));
        assertEquals(ReplyCode.FRAME_ERROR, e.replyCode());
    }
}
