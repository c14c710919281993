package io.warren.amqp.method;

import io.netty.buffer.ByteBuf;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.codec.MethodArgumentsReader;
import io.warren.amqp.codec.MethodArgumentsWriter;

/**
 * Encodes and decodes method frame payloads: class id, method id, arguments. Stateless.
 *
 * <p>Decoding refuses an unknown class or method with 540 NOT_IMPLEMENTED, a payload that ends early or
 * has bytes after its last argument with 501 FRAME_ERROR, and bad field-table contents with 502
 * SYNTAX_ERROR, each as an {@link AmqpException} naming the method where it is known.
 */
public final class MethodCodec {
    private MethodCodec() {
    }

    public static Method decode(ByteBuf payload) {
        if (payload.readableBytes() < 4) {
            throw AmqpException.of(ReplyCode.FRAME_ERROR, "method frame of " + payload.readableBytes()
                    + " bytes is too short for its class and method ids");
        }
        int classId = payload.readUnsignedShort();
        int methodId = payload.readUnsignedShort();
        MethodArgumentsReader in = new MethodArgumentsReader(payload);
        Method method;
        try {
            method = switch (classId) {
                case ConnectionMethod.CLASS_ID -> ConnectionMethod.read(methodId, in);
                case ChannelMethod.CLASS_ID -> ChannelMethod.read(methodId, in);
                case ExchangeMethod.CLASS_ID -> ExchangeMethod.read(methodId, in);
                case QueueMethod.CLASS_ID -> QueueMethod.read(methodId, in);
                case BasicMethod.CLASS_ID -> BasicMethod.read(methodId, in);
                case ConfirmMethod.CLASS_ID -> ConfirmMethod.read(methodId, in);
                case TxMethod.CLASS_ID -> TxMethod.read(methodId, in);
                default -> null;
            };
        } catch (AmqpException e) {
            throw e.causedBy(classId, methodId);
        }
        if (method == null) {
            throw AmqpException.of(ReplyCode.NOT_IMPLEMENTED,
                    "unknown method: class " + classId + ", method " + methodId, classId, methodId);
        }
        if (!in.isFullyRead()) {
            throw AmqpException.of(ReplyCode.FRAME_ERROR, payload.readableBytes() + " bytes after the arguments of "
                    + method.name(), classId, methodId);
        }
        return method;
    }

    public static void encode(Method method, ByteBuf out) {
        out.writeShort(method.classId());
        out.writeShort(method.methodId());
        MethodArgumentsWriter writer = new MethodArgumentsWriter(out);
        method.writeArguments(writer);
        writer.finish();
    }
}
