package io.warren.amqp.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.AMQImpl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.FieldValue;
import io.warren.amqp.codec.LongString;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Goal: Warren encodes and decodes every AMQP 0-9-1 method (with RabbitMQ's extensions) exactly as the
 * RabbitMQ Java client does. Method: for each method, the same values are built as a Warren record and
 * as an amqp-client method; the two encodings must be byte-identical, Warren must decode the client's
 * bytes to an equal record, and the client must decode Warren's bytes and re-encode them unchanged.
 * The class and method ids are thereby checked against the client's generated spec constants.
 */
class MethodCodecRoundTripTest {

    record Pair(Method ours, com.rabbitmq.client.impl.Method theirs) {
        @Override
        public String toString() {
            return ours.name();
        }
    }

    // One entry per table level: the Java client copies tables into hash maps, so the wire order of a
    // table with several entries is its hash order. FieldTableCodecTest covers many-entry tables by value.
    static FieldTable ourTable() {
        return FieldTable.builder()
                .put("nested", FieldTable.builder().put("count", new FieldValue.Int32(42)).build())
                .build();
    }

    static Map<String, Object> theirTable() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("count", 42);
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("nested", nested);
        return table;
    }

    static Stream<Pair> pairs() {
        FieldTable t = ourTable();
        Map<String, Object> m = theirTable();
        List<Pair> pairs = new ArrayList<>();
        // connection
        pairs.add(pair(new ConnectionMethod.Start(0, 9, t, LongString.of("PLAIN AMQPLAIN"), LongString.of("en_US")),
                new AMQP.Connection.Start.Builder().versionMajor(0).versionMinor(9).serverProperties(m)
                        .mechanisms("PLAIN AMQPLAIN").locales("en_US").build()));
        pairs.add(pair(new ConnectionMethod.StartOk(t, "PLAIN", LongString.of("\0guest\0guest"), "en_US"),
                new AMQP.Connection.StartOk.Builder().clientProperties(m).mechanism("PLAIN")
                        .response("\0guest\0guest").locale("en_US").build()));
        pairs.add(pair(new ConnectionMethod.Secure(LongString.of("challenge")),
                new AMQP.Connection.Secure.Builder().challenge("challenge").build()));
        pairs.add(pair(new ConnectionMethod.SecureOk(LongString.of("response")),
                new AMQP.Connection.SecureOk.Builder().response("response").build()));
        pairs.add(pair(new ConnectionMethod.Tune(2047, 131072, 60),
                new AMQP.Connection.Tune.Builder().channelMax(2047).frameMax(131072).heartbeat(60).build()));
        pairs.add(pair(new ConnectionMethod.TuneOk(65535, 4096, 1),
                new AMQP.Connection.TuneOk.Builder().channelMax(65535).frameMax(4096).heartbeat(1).build()));
        pairs.add(pair(new ConnectionMethod.Open("/prod"),
                new AMQP.Connection.Open.Builder().virtualHost("/prod").build()));
        pairs.add(pair(new ConnectionMethod.OpenOk(), new AMQP.Connection.OpenOk.Builder().build()));
        pairs.add(pair(new ConnectionMethod.Close(320, "CONNECTION_FORCED - shutdown", 10, 40),
                new AMQP.Connection.Close.Builder().replyCode(320).replyText("CONNECTION_FORCED - shutdown")
                        .classId(10).methodId(40).build()));
        pairs.add(pair(new ConnectionMethod.CloseOk(), new AMQP.Connection.CloseOk.Builder().build()));
        pairs.add(pair(new ConnectionMethod.Blocked("low on memory"),
                new AMQP.Connection.Blocked.Builder().reason("low on memory").build()));
        pairs.add(pair(new ConnectionMethod.Unblocked(), new AMQP.Connection.Unblocked.Builder().build()));
        pairs.add(pair(new ConnectionMethod.UpdateSecret(LongString.of("token"), "refresh"),
                new AMQP.Connection.UpdateSecret.Builder().newSecret("token").reason("refresh").build()));
        pairs.add(pair(new ConnectionMethod.UpdateSecretOk(), new AMQP.Connection.UpdateSecretOk.Builder().build()));
        // channel
        pairs.add(pair(new ChannelMethod.Open(), new AMQP.Channel.Open.Builder().build()));
        pairs.add(pair(new ChannelMethod.OpenOk(), new AMQP.Channel.OpenOk.Builder().build()));
        pairs.add(pair(new ChannelMethod.Flow(true), new AMQP.Channel.Flow.Builder().active(true).build()));
        pairs.add(pair(new ChannelMethod.FlowOk(false), new AMQP.Channel.FlowOk.Builder().active(false).build()));
        pairs.add(pair(new ChannelMethod.Close(404, "NOT_FOUND - no queue 'q'", 50, 10),
                new AMQP.Channel.Close.Builder().replyCode(404).replyText("NOT_FOUND - no queue 'q'").classId(50)
                        .methodId(10).build()));
        pairs.add(pair(new ChannelMethod.CloseOk(), new AMQP.Channel.CloseOk.Builder().build()));
        // exchange
        pairs.add(pair(new ExchangeMethod.Declare("logs", "topic", false, true, true, false, true, t),
                new AMQP.Exchange.Declare.Builder().exchange("logs").type("topic").passive(false).durable(true)
                        .autoDelete(true).internal(false).nowait(true).arguments(m).build()));
        pairs.add(pair(new ExchangeMethod.DeclareOk(), new AMQP.Exchange.DeclareOk.Builder().build()));
        pairs.add(pair(new ExchangeMethod.Delete("logs", true, false),
                new AMQP.Exchange.Delete.Builder().exchange("logs").ifUnused(true).nowait(false).build()));
        pairs.add(pair(new ExchangeMethod.DeleteOk(), new AMQP.Exchange.DeleteOk.Builder().build()));
        pairs.add(pair(new ExchangeMethod.Bind("dst", "src", "a.b", true, t),
                new AMQP.Exchange.Bind.Builder().destination("dst").source("src").routingKey("a.b").nowait(true)
                        .arguments(m).build()));
        pairs.add(pair(new ExchangeMethod.BindOk(), new AMQP.Exchange.BindOk.Builder().build()));
        pairs.add(pair(new ExchangeMethod.Unbind("dst", "src", "a.b", false, t),
                new AMQP.Exchange.Unbind.Builder().destination("dst").source("src").routingKey("a.b").nowait(false)
                        .arguments(m).build()));
        pairs.add(pair(new ExchangeMethod.UnbindOk(), new AMQP.Exchange.UnbindOk.Builder().build()));
        // queue
        pairs.add(pair(new QueueMethod.Declare("tasks", true, false, true, false, true, t),
                new AMQP.Queue.Declare.Builder().queue("tasks").passive(true).durable(false).exclusive(true)
                        .autoDelete(false).nowait(true).arguments(m).build()));
        pairs.add(pair(new QueueMethod.DeclareOk("amq.gen-1", 3_000_000_000L, 7),
                new AMQP.Queue.DeclareOk.Builder().queue("amq.gen-1").messageCount((int) 3_000_000_000L)
                        .consumerCount(7).build()));
        pairs.add(pair(new QueueMethod.Bind("tasks", "amq.direct", "key", true, t),
                new AMQP.Queue.Bind.Builder().queue("tasks").exchange("amq.direct").routingKey("key").nowait(true)
                        .arguments(m).build()));
        pairs.add(pair(new QueueMethod.BindOk(), new AMQP.Queue.BindOk.Builder().build()));
        pairs.add(pair(new QueueMethod.Purge("tasks", true),
                new AMQP.Queue.Purge.Builder().queue("tasks").nowait(true).build()));
        pairs.add(pair(new QueueMethod.PurgeOk(12), new AMQP.Queue.PurgeOk.Builder().messageCount(12).build()));
        pairs.add(pair(new QueueMethod.Delete("tasks", true, false, true),
                new AMQP.Queue.Delete.Builder().queue("tasks").ifUnused(true).ifEmpty(false).nowait(true).build()));
        pairs.add(pair(new QueueMethod.DeleteOk(5), new AMQP.Queue.DeleteOk.Builder().messageCount(5).build()));
        pairs.add(pair(new QueueMethod.Unbind("tasks", "amq.direct", "key", t),
                new AMQP.Queue.Unbind.Builder().queue("tasks").exchange("amq.direct").routingKey("key").arguments(m)
                        .build()));
        pairs.add(pair(new QueueMethod.UnbindOk(), new AMQP.Queue.UnbindOk.Builder().build()));
        // basic
        pairs.add(pair(new BasicMethod.Qos(0, 65535, true),
                new AMQP.Basic.Qos.Builder().prefetchSize(0).prefetchCount(65535).global(true).build()));
        pairs.add(pair(new BasicMethod.QosOk(), new AMQP.Basic.QosOk.Builder().build()));
        pairs.add(pair(new BasicMethod.Consume("tasks", "ctag", false, true, true, false, t),
                new AMQP.Basic.Consume.Builder().queue("tasks").consumerTag("ctag").noLocal(false).noAck(true)
                        .exclusive(true).nowait(false).arguments(m).build()));
        pairs.add(pair(new BasicMethod.ConsumeOk("ctag"), new AMQP.Basic.ConsumeOk.Builder().consumerTag("ctag").build()));
        pairs.add(pair(new BasicMethod.Cancel("ctag", true),
                new AMQP.Basic.Cancel.Builder().consumerTag("ctag").nowait(true).build()));
        pairs.add(pair(new BasicMethod.CancelOk("ctag"), new AMQP.Basic.CancelOk.Builder().consumerTag("ctag").build()));
        pairs.add(pair(new BasicMethod.Publish("amq.topic", "a.b.c", true, false),
                new AMQP.Basic.Publish.Builder().exchange("amq.topic").routingKey("a.b.c").mandatory(true)
                        .immediate(false).build()));
        pairs.add(pair(new BasicMethod.Return(312, "NO_ROUTE", "amq.topic", "a.b.c"),
                new AMQP.Basic.Return.Builder().replyCode(312).replyText("NO_ROUTE").exchange("amq.topic")
                        .routingKey("a.b.c").build()));
        pairs.add(pair(new BasicMethod.Deliver("ctag", Long.MAX_VALUE, true, "ex", "rk"),
                new AMQP.Basic.Deliver.Builder().consumerTag("ctag").deliveryTag(Long.MAX_VALUE).redelivered(true)
                        .exchange("ex").routingKey("rk").build()));
        pairs.add(pair(new BasicMethod.Get("tasks", true),
                new AMQP.Basic.Get.Builder().queue("tasks").noAck(true).build()));
        pairs.add(pair(new BasicMethod.GetOk(9, false, "ex", "rk", 100),
                new AMQP.Basic.GetOk.Builder().deliveryTag(9).redelivered(false).exchange("ex").routingKey("rk")
                        .messageCount(100).build()));
        pairs.add(pair(new BasicMethod.GetEmpty(), new AMQP.Basic.GetEmpty.Builder().build()));
        pairs.add(pair(new BasicMethod.Ack(77, true), new AMQP.Basic.Ack.Builder().deliveryTag(77).multiple(true).build()));
        pairs.add(pair(new BasicMethod.Reject(78, false),
                new AMQP.Basic.Reject.Builder().deliveryTag(78).requeue(false).build()));
        pairs.add(pair(new BasicMethod.RecoverAsync(true), new AMQP.Basic.RecoverAsync.Builder().requeue(true).build()));
        pairs.add(pair(new BasicMethod.Recover(false), new AMQP.Basic.Recover.Builder().requeue(false).build()));
        pairs.add(pair(new BasicMethod.RecoverOk(), new AMQP.Basic.RecoverOk.Builder().build()));
        pairs.add(pair(new BasicMethod.Nack(79, true, false),
                new AMQP.Basic.Nack.Builder().deliveryTag(79).multiple(true).requeue(false).build()));
        // confirm and tx
        pairs.add(pair(new ConfirmMethod.Select(true), new AMQP.Confirm.Select.Builder().nowait(true).build()));
        pairs.add(pair(new ConfirmMethod.SelectOk(), new AMQP.Confirm.SelectOk.Builder().build()));
        pairs.add(pair(new TxMethod.Select(), new AMQP.Tx.Select.Builder().build()));
        pairs.add(pair(new TxMethod.SelectOk(), new AMQP.Tx.SelectOk.Builder().build()));
        pairs.add(pair(new TxMethod.Commit(), new AMQP.Tx.Commit.Builder().build()));
        pairs.add(pair(new TxMethod.CommitOk(), new AMQP.Tx.CommitOk.Builder().build()));
        pairs.add(pair(new TxMethod.Rollback(), new AMQP.Tx.Rollback.Builder().build()));
        pairs.add(pair(new TxMethod.RollbackOk(), new AMQP.Tx.RollbackOk.Builder().build()));
        return pairs.stream();
    }

    private static Pair pair(Method ours, com.rabbitmq.client.Method theirs) {
        return new Pair(ours, (com.rabbitmq.client.impl.Method) theirs);
    }

    static byte[] ourBytes(Method method) {
        ByteBuf buf = Unpooled.buffer();
        MethodCodec.encode(method, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    static byte[] theirBytes(com.rabbitmq.client.impl.Method method) throws IOException {
        return method.toFrame(1).getPayload();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void shouldEncodeExactlyAsTheRabbitMqJavaClient(Pair pair) throws IOException {
        assertEquals(pair.theirs().protocolClassId(), pair.ours().classId(), "class id");
        assertEquals(pair.theirs().protocolMethodId(), pair.ours().methodId(), "method id");
        assertEquals(pair.theirs().hasContent(), pair.ours().hasContent(), "has content");
        assertEquals(pair.theirs().protocolMethodName().replace('_', '-'), pair.ours().name(), "name");
        assertArrayEquals(theirBytes(pair.theirs()), ourBytes(pair.ours()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void shouldDecodeWhatTheRabbitMqJavaClientEncodes(Pair pair) throws IOException {
        Method decoded = MethodCodec.decode(Unpooled.wrappedBuffer(theirBytes(pair.theirs())));
        assertEquals(pair.ours(), decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void shouldBeDecodedByTheRabbitMqJavaClient(Pair pair) throws IOException {
        byte[] ours = ourBytes(pair.ours());
        com.rabbitmq.client.impl.Method decoded =
                AMQImpl.readMethodFrom(new DataInputStream(new ByteArrayInputStream(ours)));
        assertEquals(pair.theirs().protocolMethodName(), decoded.protocolMethodName());
        assertArrayEquals(ours, theirBytes(decoded), "the client's re-encoding of what it decoded");
    }

    @Test
    void shouldCoverEveryMethodRecord() {
        Set<Class<?>> covered = new HashSet<>();
        pairs().forEach(p -> covered.add(p.ours().getClass()));
        Set<Class<?>> all = new HashSet<>();
        for (Class<?> methodClass : Method.class.getPermittedSubclasses()) {
            all.addAll(List.of(methodClass.getPermittedSubclasses()));
        }
        assertEquals(all, covered);
        assertEquals(64, all.size(), "methods in AMQP 0-9-1 with RabbitMQ's extensions");
    }
}
