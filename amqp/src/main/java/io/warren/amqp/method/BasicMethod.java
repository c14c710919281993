package io.warren.amqp.method;

import io.warren.amqp.codec.Arguments;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;
import java.util.Objects;

/**
 * The methods of AMQP 0-9-1 class basic (class id 60), one immutable record each, with RabbitMQ's
 * extensions. Reserved fields are not components: they are written with their spec value and skipped
 * on read. Built by {@link MethodCodec}; the ids are checked against the RabbitMQ Java client's
 * generated constants by {@code MethodCodecRoundTripTest}.
 */
public sealed interface BasicMethod extends Method permits BasicMethod.Qos, BasicMethod.QosOk, BasicMethod.Consume, BasicMethod.ConsumeOk, BasicMethod.Cancel, BasicMethod.CancelOk, BasicMethod.Publish, BasicMethod.Return, BasicMethod.Deliver, BasicMethod.Get, BasicMethod.GetOk, BasicMethod.GetEmpty, BasicMethod.Ack, BasicMethod.Reject, BasicMethod.RecoverAsync, BasicMethod.Recover, BasicMethod.RecoverOk, BasicMethod.Nack {

    int CLASS_ID = 60;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** Decodes the arguments of method {@code methodId} of this class, or returns null when it is unknown. */
    static BasicMethod read(int methodId, MethodArgumentsReader in) {
        return switch (methodId) {
            case Qos.METHOD_ID -> Qos.read(in);
            case QosOk.METHOD_ID -> QosOk.read(in);
            case Consume.METHOD_ID -> Consume.read(in);
            case ConsumeOk.METHOD_ID -> ConsumeOk.read(in);
            case Cancel.METHOD_ID -> Cancel.read(in);
            case CancelOk.METHOD_ID -> CancelOk.read(in);
            case Publish.METHOD_ID -> Publish.read(in);
            case Return.METHOD_ID -> Return.read(in);
            case Deliver.METHOD_ID -> Deliver.read(in);
            case Get.METHOD_ID -> Get.read(in);
            case GetOk.METHOD_ID -> GetOk.read(in);
            case GetEmpty.METHOD_ID -> GetEmpty.read(in);
            case Ack.METHOD_ID -> Ack.read(in);
            case Reject.METHOD_ID -> Reject.read(in);
            case RecoverAsync.METHOD_ID -> RecoverAsync.read(in);
            case Recover.METHOD_ID -> Recover.read(in);
            case RecoverOk.METHOD_ID -> RecoverOk.read(in);
            case Nack.METHOD_ID -> Nack.read(in);
            default -> null;
        };
    }

    /** basic.qos (60, 10). */
    record Qos(long prefetchSize, int prefetchCount, boolean global) implements BasicMethod {
        public static final int METHOD_ID = 10;
        public Qos {
            Arguments.unsignedInt("prefetchSize", prefetchSize);
            Arguments.unsignedShort("prefetchCount", prefetchCount);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.qos"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLong(prefetchSize);
            out.writeShort(prefetchCount);
            out.writeBit(global);
        }

        static Qos read(MethodArgumentsReader in) {
            long prefetchSize = in.readLong();
            int prefetchCount = in.readShort();
            boolean global = in.readBit();
            return new Qos(prefetchSize, prefetchCount, global);
        }
    }

    /** basic.qos-ok (60, 11). */
    record QosOk() implements BasicMethod {
        public static final int METHOD_ID = 11;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.qos-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static QosOk read(MethodArgumentsReader in) {
            return new QosOk();
        }
    }

    /** basic.consume (60, 20). */
    record Consume(String queue, String consumerTag, boolean noLocal, boolean noAck, boolean exclusive, boolean noWait, FieldTable arguments) implements BasicMethod {
        public static final int METHOD_ID = 20;
        public Consume {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
            Objects.requireNonNull(consumerTag, "consumerTag");
            Arguments.shortString("consumerTag", consumerTag);
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.consume"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(queue);
            out.writeShortString(consumerTag);
            out.writeBit(noLocal);
            out.writeBit(noAck);
            out.writeBit(exclusive);
            out.writeBit(noWait);
            out.writeTable(arguments);
        }

        static Consume read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String queue = in.readShortString();
            String consumerTag = in.readShortString();
            boolean noLocal = in.readBit();
            boolean noAck = in.readBit();
            boolean exclusive = in.readBit();
            boolean noWait = in.readBit();
            FieldTable arguments = in.readTable();
            return new Consume(queue, consumerTag, noLocal, noAck, exclusive, noWait, arguments);
        }
    }

    /** basic.consume-ok (60, 21). */
    record ConsumeOk(String consumerTag) implements BasicMethod {
        public static final int METHOD_ID = 21;
        public ConsumeOk {
            Objects.requireNonNull(consumerTag, "consumerTag");
            Arguments.shortString("consumerTag", consumerTag);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.consume-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString(consumerTag);
        }

        static ConsumeOk read(MethodArgumentsReader in) {
            String consumerTag = in.readShortString();
            return new ConsumeOk(consumerTag);
        }
    }

    /** basic.cancel (60, 30). */
    record Cancel(String consumerTag, boolean noWait) implements BasicMethod {
        public static final int METHOD_ID = 30;
        public Cancel {
            Objects.requireNonNull(consumerTag, "consumerTag");
            Arguments.shortString("consumerTag", consumerTag);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.cancel"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString(consumerTag);
            out.writeBit(noWait);
        }

        static Cancel read(MethodArgumentsReader in) {
            String consumerTag = in.readShortString();
            boolean noWait = in.readBit();
            return new Cancel(consumerTag, noWait);
        }
    }

    /** basic.cancel-ok (60, 31). */
    record CancelOk(String consumerTag) implements BasicMethod {
        public static final int METHOD_ID = 31;
        public CancelOk {
            Objects.requireNonNull(consumerTag, "consumerTag");
            Arguments.shortString("consumerTag", consumerTag);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.cancel-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString(consumerTag);
        }

        static CancelOk read(MethodArgumentsReader in) {
            String consumerTag = in.readShortString();
            return new CancelOk(consumerTag);
        }
    }

    /** basic.publish (60, 40) carries content. */
    record Publish(String exchange, String routingKey, boolean mandatory, boolean immediate) implements BasicMethod {
        public static final int METHOD_ID = 40;
        public Publish {
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.publish"; }
        @Override public boolean hasContent() { return true; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(exchange);
            out.writeShortString(routingKey);
            out.writeBit(mandatory);
            out.writeBit(immediate);
        }

        static Publish read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String exchange = in.readShortString();
            String routingKey = in.readShortString();
            boolean mandatory = in.readBit();
            boolean immediate = in.readBit();
            return new Publish(exchange, routingKey, mandatory, immediate);
        }
    }

    /** basic.return (60, 50) carries content. */
    record Return(int replyCode, String replyText, String exchange, String routingKey) implements BasicMethod {
        public static final int METHOD_ID = 50;
        public Return {
            Arguments.unsignedShort("replyCode", replyCode);
            Objects.requireNonNull(replyText, "replyText");
            Arguments.shortString("replyText", replyText);
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.return"; }
        @Override public boolean hasContent() { return true; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(replyCode);
            out.writeShortString(replyText);
            out.writeShortString(exchange);
            out.writeShortString(routingKey);
        }

        static Return read(MethodArgumentsReader in) {
            int replyCode = in.readShort();
            String replyText = in.readShortString();
            String exchange = in.readShortString();
            String routingKey = in.readShortString();
            return new Return(replyCode, replyText, exchange, routingKey);
        }
    }

    /** basic.deliver (60, 60) carries content. */
    record Deliver(String consumerTag, long deliveryTag, boolean redelivered, String exchange, String routingKey) implements BasicMethod {
        public static final int METHOD_ID = 60;
        public Deliver {
            Objects.requireNonNull(consumerTag, "consumerTag");
            Arguments.shortString("consumerTag", consumerTag);
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.deliver"; }
        @Override public boolean hasContent() { return true; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString(consumerTag);
            out.writeLongLong(deliveryTag);
            out.writeBit(redelivered);
            out.writeShortString(exchange);
            out.writeShortString(routingKey);
        }

        static Deliver read(MethodArgumentsReader in) {
            String consumerTag = in.readShortString();
            long deliveryTag = in.readLongLong();
            boolean redelivered = in.readBit();
            String exchange = in.readShortString();
            String routingKey = in.readShortString();
            return new Deliver(consumerTag, deliveryTag, redelivered, exchange, routingKey);
        }
    }

    /** basic.get (60, 70). */
    record Get(String queue, boolean noAck) implements BasicMethod {
        public static final int METHOD_ID = 70;
        public Get {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.get"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(queue);
            out.writeBit(noAck);
        }

        static Get read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String queue = in.readShortString();
            boolean noAck = in.readBit();
            return new Get(queue, noAck);
        }
    }

    /** basic.get-ok (60, 71) carries content. */
    record GetOk(long deliveryTag, boolean redelivered, String exchange, String routingKey, long messageCount) implements BasicMethod {
        public static final int METHOD_ID = 71;
        public GetOk {
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
            Arguments.unsignedInt("messageCount", messageCount);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.get-ok"; }
        @Override public boolean hasContent() { return true; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongLong(deliveryTag);
            out.writeBit(redelivered);
            out.writeShortString(exchange);
            out.writeShortString(routingKey);
            out.writeLong(messageCount);
        }

        static GetOk read(MethodArgumentsReader in) {
            long deliveryTag = in.readLongLong();
            boolean redelivered = in.readBit();
            String exchange = in.readShortString();
            String routingKey = in.readShortString();
            long messageCount = in.readLong();
            return new GetOk(deliveryTag, redelivered, exchange, routingKey, messageCount);
        }
    }

    /** basic.get-empty (60, 72). */
    record GetEmpty() implements BasicMethod {
        public static final int METHOD_ID = 72;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.get-empty"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString("");
        }

        static GetEmpty read(MethodArgumentsReader in) {
            in.readShortString(); // reserved
            return new GetEmpty();
        }
    }

    /** basic.ack (60, 80). */
    record Ack(long deliveryTag, boolean multiple) implements BasicMethod {
        public static final int METHOD_ID = 80;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.ack"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongLong(deliveryTag);
            out.writeBit(multiple);
        }

        static Ack read(MethodArgumentsReader in) {
            long deliveryTag = in.readLongLong();
            boolean multiple = in.readBit();
            return new Ack(deliveryTag, multiple);
        }
    }

    /** basic.reject (60, 90). */
    record Reject(long deliveryTag, boolean requeue) implements BasicMethod {
        public static final int METHOD_ID = 90;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.reject"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongLong(deliveryTag);
            out.writeBit(requeue);
        }

        static Reject read(MethodArgumentsReader in) {
            long deliveryTag = in.readLongLong();
            boolean requeue = in.readBit();
            return new Reject(deliveryTag, requeue);
        }
    }

    /** basic.recover-async (60, 100). */
    record RecoverAsync(boolean requeue) implements BasicMethod {
        public static final int METHOD_ID = 100;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.recover-async"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeBit(requeue);
        }

        static RecoverAsync read(MethodArgumentsReader in) {
            boolean requeue = in.readBit();
            return new RecoverAsync(requeue);
        }
    }

    /** basic.recover (60, 110). */
    record Recover(boolean requeue) implements BasicMethod {
        public static final int METHOD_ID = 110;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.recover"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeBit(requeue);
        }

        static Recover read(MethodArgumentsReader in) {
            boolean requeue = in.readBit();
            return new Recover(requeue);
        }
    }

    /** basic.recover-ok (60, 111). */
    record RecoverOk() implements BasicMethod {
        public static final int METHOD_ID = 111;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.recover-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static RecoverOk read(MethodArgumentsReader in) {
            return new RecoverOk();
        }
    }

    /** basic.nack (60, 120). */
    record Nack(long deliveryTag, boolean multiple, boolean requeue) implements BasicMethod {
        public static final int METHOD_ID = 120;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "basic.nack"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongLong(deliveryTag);
            out.writeBit(multiple);
            out.writeBit(requeue);
        }

        static Nack read(MethodArgumentsReader in) {
            long deliveryTag = in.readLongLong();
            boolean multiple = in.readBit();
            boolean requeue = in.readBit();
            return new Nack(deliveryTag, multiple, requeue);
        }
    }
}
