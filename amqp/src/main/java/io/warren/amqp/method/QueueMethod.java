package io.warren.amqp.method;

import io.warren.amqp.codec.Arguments;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;
import java.util.Objects;

/**
 * The methods of AMQP 0-9-1 class queue (class id 50), one immutable record each, with RabbitMQ's
 * extensions. Reserved fields are not components: they are written with their spec value and skipped
 * on read. Built by {@link MethodCodec}; the ids are checked against the RabbitMQ Java client's
 * generated constants by {@code MethodCodecRoundTripTest}.
 */
public sealed interface QueueMethod extends Method permits QueueMethod.Declare, QueueMethod.DeclareOk, QueueMethod.Bind, QueueMethod.BindOk, QueueMethod.Purge, QueueMethod.PurgeOk, QueueMethod.Delete, QueueMethod.DeleteOk, QueueMethod.Unbind, QueueMethod.UnbindOk {

    int CLASS_ID = 50;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** Decodes the arguments of method {@code methodId} of this class, or returns null when it is unknown. */
    static QueueMethod read(int methodId, MethodArgumentsReader in) {
        return switch (methodId) {
            case Declare.METHOD_ID -> Declare.read(in);
            case DeclareOk.METHOD_ID -> DeclareOk.read(in);
            case Bind.METHOD_ID -> Bind.read(in);
            case BindOk.METHOD_ID -> BindOk.read(in);
            case Purge.METHOD_ID -> Purge.read(in);
            case PurgeOk.METHOD_ID -> PurgeOk.read(in);
            case Delete.METHOD_ID -> Delete.read(in);
            case DeleteOk.METHOD_ID -> DeleteOk.read(in);
            case Unbind.METHOD_ID -> Unbind.read(in);
            case UnbindOk.METHOD_ID -> UnbindOk.read(in);
            default -> null;
        };
    }

    /** queue.declare (50, 10). */
    record Declare(String queue, boolean passive, boolean durable, boolean exclusive, boolean autoDelete, boolean noWait, FieldTable arguments) implements QueueMethod {
        public static final int METHOD_ID = 10;
        public Declare {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.declare"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(queue);
            out.writeBit(passive);
            out.writeBit(durable);
            out.writeBit(exclusive);
            out.writeBit(autoDelete);
            out.writeBit(noWait);
            out.writeTable(arguments);
        }

        static Declare read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String queue = in.readShortString();
            boolean passive = in.readBit();
            boolean durable = in.readBit();
            boolean exclusive = in.readBit();
            boolean autoDelete = in.readBit();
            boolean noWait = in.readBit();
            FieldTable arguments = in.readTable();
            return new Declare(queue, passive, durable, exclusive, autoDelete, noWait, arguments);
        }
    }

    /** queue.declare-ok (50, 11). */
    record DeclareOk(String queue, long messageCount, long consumerCount) implements QueueMethod {
        public static final int METHOD_ID = 11;
        public DeclareOk {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
            Arguments.unsignedInt("messageCount", messageCount);
            Arguments.unsignedInt("consumerCount", consumerCount);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.declare-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString(queue);
            out.writeLong(messageCount);
            out.writeLong(consumerCount);
        }

        static DeclareOk read(MethodArgumentsReader in) {
            String queue = in.readShortString();
            long messageCount = in.readLong();
            long consumerCount = in.readLong();
            return new DeclareOk(queue, messageCount, consumerCount);
        }
    }

    /** queue.bind (50, 20). */
    record Bind(String queue, String exchange, String routingKey, boolean noWait, FieldTable arguments) implements QueueMethod {
        public static final int METHOD_ID = 20;
        public Bind {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.bind"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(queue);
            out.writeShortString(exchange);
            out.writeShortString(routingKey);
            out.writeBit(noWait);
            out.writeTable(arguments);
        }

        static Bind read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String queue = in.readShortString();
            String exchange = in.readShortString();
            String routingKey = in.readShortString();
            boolean noWait = in.readBit();
            FieldTable arguments = in.readTable();
            return new Bind(queue, exchange, routingKey, noWait, arguments);
        }
    }

    /** queue.bind-ok (50, 21). */
    record BindOk() implements QueueMethod {
        public static final int METHOD_ID = 21;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.bind-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static BindOk read(MethodArgumentsReader in) {
            return new BindOk();
        }
    }

    /** queue.purge (50, 30). */
    record Purge(String queue, boolean noWait) implements QueueMethod {
        public static final int METHOD_ID = 30;
        public Purge {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.purge"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(queue);
            out.writeBit(noWait);
        }

        static Purge read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String queue = in.readShortString();
            boolean noWait = in.readBit();
            return new Purge(queue, noWait);
        }
    }

    /** queue.purge-ok (50, 31). */
    record PurgeOk(long messageCount) implements QueueMethod {
        public static final int METHOD_ID = 31;
        public PurgeOk {
            Arguments.unsignedInt("messageCount", messageCount);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.purge-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLong(messageCount);
        }

        static PurgeOk read(MethodArgumentsReader in) {
            long messageCount = in.readLong();
            return new PurgeOk(messageCount);
        }
    }

    /** queue.delete (50, 40). */
    record Delete(String queue, boolean ifUnused, boolean ifEmpty, boolean noWait) implements QueueMethod {
        public static final int METHOD_ID = 40;
        public Delete {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.delete"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(queue);
            out.writeBit(ifUnused);
            out.writeBit(ifEmpty);
            out.writeBit(noWait);
        }

        static Delete read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String queue = in.readShortString();
            boolean ifUnused = in.readBit();
            boolean ifEmpty = in.readBit();
            boolean noWait = in.readBit();
            return new Delete(queue, ifUnused, ifEmpty, noWait);
        }
    }

    /** queue.delete-ok (50, 41). */
    record DeleteOk(long messageCount) implements QueueMethod {
        public static final int METHOD_ID = 41;
        public DeleteOk {
            Arguments.unsignedInt("messageCount", messageCount);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.delete-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLong(messageCount);
        }

        static DeleteOk read(MethodArgumentsReader in) {
            long messageCount = in.readLong();
            return new DeleteOk(messageCount);
        }
    }

    /** queue.unbind (50, 50). */
    record Unbind(String queue, String exchange, String routingKey, FieldTable arguments) implements QueueMethod {
        public static final int METHOD_ID = 50;
        public Unbind {
            Objects.requireNonNull(queue, "queue");
            Arguments.shortString("queue", queue);
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.unbind"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(queue);
            out.writeShortString(exchange);
            out.writeShortString(routingKey);
            out.writeTable(arguments);
        }

        static Unbind read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String queue = in.readShortString();
            String exchange = in.readShortString();
            String routingKey = in.readShortString();
            FieldTable arguments = in.readTable();
            return new Unbind(queue, exchange, routingKey, arguments);
        }
    }

    /** queue.unbind-ok (50, 51). */
    record UnbindOk() implements QueueMethod {
        public static final int METHOD_ID = 51;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "queue.unbind-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static UnbindOk read(MethodArgumentsReader in) {
            return new UnbindOk();
        }
    }
}
