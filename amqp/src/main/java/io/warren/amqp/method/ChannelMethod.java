package io.warren.amqp.method;

import io.warren.amqp.codec.Arguments;
import io.warren.amqp.codec.FieldTable;
import io.warren.amqp.codec.LongString;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;
import java.util.Objects;

/**
 * The methods of AMQP 0-9-1 class channel (class id 20), one immutable record each, with RabbitMQ's
 * extensions. Reserved fields are not components: they are written with their spec value and skipped
 * on read. Built by {@link MethodCodec}; the ids are checked against the RabbitMQ Java client's
 * generated constants by {@code MethodCodecRoundTripTest}.
 */
public sealed interface ChannelMethod extends Method permits ChannelMethod.Open, ChannelMethod.OpenOk, ChannelMethod.Flow, ChannelMethod.FlowOk, ChannelMethod.Close, ChannelMethod.CloseOk {

    int CLASS_ID = 20;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** Decodes the arguments of method {@code methodId} of this class, or returns null when it is unknown. */
    static ChannelMethod read(int methodId, MethodArgumentsReader in) {
        return switch (methodId) {
            case Open.METHOD_ID -> Open.read(in);
            case OpenOk.METHOD_ID -> OpenOk.read(in);
            case Flow.METHOD_ID -> Flow.read(in);
            case FlowOk.METHOD_ID -> FlowOk.read(in);
            case Close.METHOD_ID -> Close.read(in);
            case CloseOk.METHOD_ID -> CloseOk.read(in);
            default -> null;
        };
    }

    /** channel.open (20, 10). */
    record Open() implements ChannelMethod {
        public static final int METHOD_ID = 10;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "channel.open"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShortString("");
        }

        static Open read(MethodArgumentsReader in) {
            in.readShortString(); // reserved
            return new Open();
        }
    }

    /** channel.open-ok (20, 11). */
    record OpenOk() implements ChannelMethod {
        public static final int METHOD_ID = 11;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "channel.open-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeLongString(LongString.EMPTY);
        }

        static OpenOk read(MethodArgumentsReader in) {
            in.readLongString(); // reserved
            return new OpenOk();
        }
    }

    /** channel.flow (20, 20). */
    record Flow(boolean active) implements ChannelMethod {
        public static final int METHOD_ID = 20;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "channel.flow"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeBit(active);
        }

        static Flow read(MethodArgumentsReader in) {
            boolean active = in.readBit();
            return new Flow(active);
        }
    }

    /** channel.flow-ok (20, 21). */
    record FlowOk(boolean active) implements ChannelMethod {
        public static final int METHOD_ID = 21;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "channel.flow-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeBit(active);
        }

        static FlowOk read(MethodArgumentsReader in) {
            boolean active = in.readBit();
            return new FlowOk(active);
        }
    }

    /** channel.close (20, 40). */
    record Close(int replyCode, String replyText, int failingClassId, int failingMethodId) implements ChannelMethod {
        public static final int METHOD_ID = 40;
        public Close {
            Arguments.unsignedShort("replyCode", replyCode);
            Objects.requireNonNull(replyText, "replyText");
            Arguments.shortString("replyText", replyText);
            Arguments.unsignedShort("failingClassId", failingClassId);
            Arguments.unsignedShort("failingMethodId", failingMethodId);
        }

        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "channel.close"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            out.writeShort(replyCode);
            out.writeShortString(replyText);
            out.writeShort(failingClassId);
            out.writeShort(failingMethodId);
        }

        static Close read(MethodArgumentsReader in) {
            int replyCode = in.readShort();
            String replyText = in.readShortString();
            int failingClassId = in.readShort();
            int failingMethodId = in.readShort();
            return new Close(replyCode, replyText, failingClassId, failingMethodId);
        }
    }

    /** channel.close-ok (20, 41). */
    record CloseOk() implements ChannelMethod {
        public static final int METHOD_ID = 41;
        @Override public int methodId() { return METHOD_ID; }
        @Override public String name() { return "channel.close-ok"; }

        @Override
        public void writeArguments(MethodArgumentsWriter out) {
            // no arguments
        }

        static CloseOk read(MethodArgumentsReader in) {
            return new CloseOk();
        }
    }
}
