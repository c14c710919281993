package io.warren.amqp.method;

import io.warren.amqp.codec.Arguments;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;

/**
 * The methods of AMQP 0-9-1 class confirm (class id 85), one immutable record each, with RabbitMQ's
 * extensions. Reserved fields are not components: they are written with their spec value and skipped
 * on read. Built by {@link MethodCodec}; the ids are checked against the RabbitMQ Java client's
 * generated constants by {@code MethodCodecRoundTripTest}.
 */
public sealed interface ConfirmMethod extends Method permits ConfirmMethod.Select, ConfirmMethod.SelectOk {

    int CLASS_ID = 85;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** Decodes the arguments of method {@code methodId} of this class, or returns null when it is unknown. */
    static ConfirmMethod read(int methodId, MethodArgumentsReader in) {
        return switch (methodId) {
            case Select.METHOD_ID -> Select.read(in);
            case SelectOk.METHOD_ID -> SelectOk.read(in);
            default -> null;
        };
    }

    /** confirm.select (85, 10). */
    record Select(boolean noWait) implements ConfirmMethod {
        public static final int METHOD_ID = 10;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "confirm.select"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeBit(noWait);
        }

        static Select read(MethodArgumentsReader in) {
            boolean noWait = in.readBit();
            return new Select(noWait);
        }
    }

    /** confirm.select-ok (85, 11). */
    record SelectOk() implements ConfirmMethod {
        public static final int METHOD_ID = 11;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "confirm.select-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static SelectOk read(MethodArgumentsReader in) {
            return new SelectOk();
        }
    }
}
