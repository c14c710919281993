package io.warren.amqp.method;

import io.warren.amqp.codec.Arguments;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;
import java.util.Objects;

/**
 * The methods of AMQP 0-9-1 class exchange (class id 40), one immutable record each, with RabbitMQ's
 * extensions. Reserved fields are not components: they are written with their spec value and skipped
 * on read. Built by {@link MethodCodec}; the ids are checked against the RabbitMQ Java client's
 * generated constants by {@code MethodCodecRoundTripTest}.
 */
public sealed interface ExchangeMethod extends Method permits ExchangeMethod.Declare, ExchangeMethod.DeclareOk, ExchangeMethod.Delete, ExchangeMethod.DeleteOk, ExchangeMethod.Bind, ExchangeMethod.BindOk, ExchangeMethod.Unbind, ExchangeMethod.UnbindOk {

    int CLASS_ID = 40;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** Decodes the arguments of method {@code methodId} of this class, or returns null when it is unknown. */
    static ExchangeMethod read(int methodId, MethodArgumentsReader in) {
        return switch (methodId) {
            case Declare.METHOD_ID -> Declare.read(in);
            case DeclareOk.METHOD_ID -> DeclareOk.read(in);
            case Delete.METHOD_ID -> Delete.read(in);
            case DeleteOk.METHOD_ID -> DeleteOk.read(in);
            case Bind.METHOD_ID -> Bind.read(in);
            case BindOk.METHOD_ID -> BindOk.read(in);
            case Unbind.METHOD_ID -> Unbind.read(in);
            case UnbindOk.METHOD_ID -> UnbindOk.read(in);
            default -> null;
        };
    }

    /** exchange.declare (40, 10). */
    record Declare(String exchange, String type, boolean passive, boolean durable, boolean autoDelete, boolean internal, boolean noWait, FieldTable arguments) implements ExchangeMethod {
        public static final int METHOD_ID = 10;
        public Declare {
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
            Objects.requireNonNull(type, "type");
            Arguments.shortString("type", type);
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.declare"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(exchange);
            out.writeShortString(type);
            out.writeBit(passive);
            out.writeBit(durable);
            out.writeBit(autoDelete);
            out.writeBit(internal);
            out.writeBit(noWait);
            out.writeTable(arguments);
        }

        static Declare read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String exchange = in.readShortString();
            String type = in.readShortString();
            boolean passive = in.readBit();
            boolean durable = in.readBit();
            boolean autoDelete = in.readBit();
            boolean internal = in.readBit();
            boolean noWait = in.readBit();
            FieldTable arguments = in.readTable();
            return new Declare(exchange, type, passive, durable, autoDelete, internal, noWait, arguments);
        }
    }

    /** exchange.declare-ok (40, 11). */
    record DeclareOk() implements ExchangeMethod {
        public static final int METHOD_ID = 11;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.declare-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static DeclareOk read(MethodArgumentsReader in) {
            return new DeclareOk();
        }
    }

    /** exchange.delete (40, 20). */
    record Delete(String exchange, boolean ifUnused, boolean noWait) implements ExchangeMethod {
        public static final int METHOD_ID = 20;
        public Delete {
            Objects.requireNonNull(exchange, "exchange");
            Arguments.shortString("exchange", exchange);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.delete"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(exchange);
            out.writeBit(ifUnused);
            out.writeBit(noWait);
        }

        static Delete read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String exchange = in.readShortString();
            boolean ifUnused = in.readBit();
            boolean noWait = in.readBit();
            return new Delete(exchange, ifUnused, noWait);
        }
    }

    /** exchange.delete-ok (40, 21). */
    record DeleteOk() implements ExchangeMethod {
        public static final int METHOD_ID = 21;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.delete-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static DeleteOk read(MethodArgumentsReader in) {
            return new DeleteOk();
        }
    }

    /** exchange.bind (40, 30). */
    record Bind(String destination, String source, String routingKey, boolean noWait, FieldTable arguments) implements ExchangeMethod {
        public static final int METHOD_ID = 30;
        public Bind {
            Objects.requireNonNull(destination, "destination");
            Arguments.shortString("destination", destination);
            Objects.requireNonNull(source, "source");
            Arguments.shortString("source", source);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.bind"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(destination);
            out.writeShortString(source);
            out.writeShortString(routingKey);
            out.writeBit(noWait);
            out.writeTable(arguments);
        }

        static Bind read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String destination = in.readShortString();
            String source = in.readShortString();
            String routingKey = in.readShortString();
            boolean noWait = in.readBit();
            FieldTable arguments = in.readTable();
            return new Bind(destination, source, routingKey, noWait, arguments);
        }
    }

    /** exchange.bind-ok (40, 31). */
    record BindOk() implements ExchangeMethod {
        public static final int METHOD_ID = 31;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.bind-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static BindOk read(MethodArgumentsReader in) {
            return new BindOk();
        }
    }

    /** exchange.unbind (40, 40). */
    record Unbind(String destination, String source, String routingKey, boolean noWait, FieldTable arguments) implements ExchangeMethod {
        public static final int METHOD_ID = 40;
        public Unbind {
            Objects.requireNonNull(destination, "destination");
            Arguments.shortString("destination", destination);
            Objects.requireNonNull(source, "source");
            Arguments.shortString("source", source);
            Objects.requireNonNull(routingKey, "routingKey");
            Arguments.shortString("routingKey", routingKey);
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.unbind"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(0);
            out.writeShortString(destination);
            out.writeShortString(source);
            out.writeShortString(routingKey);
            out.writeBit(noWait);
            out.writeTable(arguments);
        }

        static Unbind read(MethodArgumentsReader in) {
            in.readShort(); // reserved
            String destination = in.readShortString();
            String source = in.readShortString();
            String routingKey = in.readShortString();
            boolean noWait = in.readBit();
            FieldTable arguments = in.readTable();
            return new Unbind(destination, source, routingKey, noWait, arguments);
        }
    }

    /** exchange.unbind-ok (40, 51). */
    record UnbindOk() implements ExchangeMethod {
        public static final int METHOD_ID = 51;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "exchange.unbind-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static UnbindOk read(MethodArgumentsReader in) {
            return new UnbindOk();
        }
    }
}
