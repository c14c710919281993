package io.warren.amqp.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.codec.BasicProperties;
import io.warren.amqp.codec.BasicPropertiesCodec;
import io.warren.amqp.method.BasicMethod;
import io.warren.amqp.method.MethodCodec;
import java.util.List;

/**
 * Bytes to {@link Frame}s, one connection's worth; stateful, so never shared.
 *
 * <p>First it reads the 8-byte protocol header and emits {@link ProtocolHeader#ACCEPTED} or
 * {@link ProtocolHeader#REFUSED}. Then it reads frames. The size in each frame header is checked
 * against {@code frame_max} before any of the payload is buffered, so a peer cannot make it hold more
 * than one frame. A frame that is not valid (unknown type, oversize, wrong end octet, bad method or
 * header payload) becomes a {@link FrameError}, and everything after it is discarded until the
 * connection handler closes the socket. Message bodies leave as retained slices of the input.
 *
 * <p>Runs on the channel's event loop; {@link #frameMax(long)} is called from the same loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final int FRAME_HEADER_BYTES = 7;

    private enum State {
        /** Waiting for the 8-byte protocol header. */
        PROTOCOL_HEADER,
        /** Waiting for the 7 bytes of the next frame header. */
        FRAME_HEADER,
        /** Frame header read; waiting for the payload and the end octet. */
        FRAME_PAYLOAD,
        /** A connection error was emitted or the header was refused; input is dropped. */
        DISCARD
    }

    private State state = State.PROTOCOL_HEADER;
    private long frameMax;
    private int frameType;
    private int frameChannel;
    private int payloadSize;

    /**
     * @param frameMax the largest frame, overhead included, accepted before tune; usually the server's
     *     proposed frame_max
     */
    public FrameDecoder(long frameMax) {
        frameMax(frameMax);
    }

    /** Sets the largest frame accepted from now on, once tune-ok has negotiated it. */
    public void frameMax(long newFrameMax) {
        if (newFrameMax < Frame.FRAME_MIN_SIZE) {
            throw new IllegalArgumentException("frameMax: " + newFrameMax + " (expected: >= " + Frame.FRAME_MIN_SIZE + ")");
        }
        this.frameMax = newFrameMax;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case PROTOCOL_HEADER -> decodeProtocolHeader(in, out);
            case FRAME_HEADER -> decodeFrameHeader(in, out);
            case FRAME_PAYLOAD -> decodeFramePayload(in, out);
            case DISCARD -> in.skipBytes(in.readableBytes());
        }
    }

    private void decodeProtocolHeader(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < ProtocolHeader.LENGTH) {
            // A protocol header that is already wrong in its first bytes need not be waited for.
            if (in.isReadable() && in.getByte(in.readerIndex()) != 'A') {
                refuseProtocolHeader(in, out);
            }
            return;
        }
        if (!ProtocolHeader.matches(in, in.readerIndex())) {
            refuseProtocolHeader(in, out);
            return;
        }
        in.skipBytes(ProtocolHeader.LENGTH);
        state = State.FRAME_HEADER;
        out.add(ProtocolHeader.ACCEPTED);
    }

    private void refuseProtocolHeader(ByteBuf in, List<Object> out) {
        boolean tls = ProtocolHeader.startsTlsHandshake(in, in.readerIndex());
        in.skipBytes(in.readableBytes());
        state = State.DISCARD;
        out.add(tls ? ProtocolHeader.REFUSED_TLS : ProtocolHeader.REFUSED);
    }

    private void decodeFrameHeader(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < FRAME_HEADER_BYTES) {
            return;
        }
        frameType = in.readUnsignedByte();
        frameChannel = in.readUnsignedShort();
        long size = in.readUnsignedInt();
        if (frameType != Frame.TYPE_METHOD && frameType != Frame.TYPE_HEADER && frameType != Frame.TYPE_BODY
                && frameType != Frame.TYPE_HEARTBEAT) {
            fail(in, out, AmqpException.of(ReplyCode.FRAME_ERROR, "unknown frame type " + frameType));
            return;
        }
        if (size > frameMax - Frame.OVERHEAD_BYTES) {
            fail(in, out, AmqpException.of(ReplyCode.FRAME_ERROR, "frame size " + (size + Frame.OVERHEAD_BYTES)
                    + " exceeds the negotiated frame_max " + frameMax));
            return;
        }
        payloadSize = (int) size;
        state = State.FRAME_PAYLOAD;
        decodeFramePayload(in, out);
    }

    private void decodeFramePayload(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < payloadSize + 1) {
            return;
        }
        int endIndex = in.readerIndex() + payloadSize;
        int frameEnd = in.getUnsignedByte(endIndex);
        if (frameEnd != Frame.FRAME_END) {
            fail(in, out, AmqpException.of(ReplyCode.FRAME_ERROR,
                    String.format("frame ends with 0x%02x instead of 0xce", frameEnd)));
            return;
        }
        try {
            Object frame = switch (frameType) {
                case Frame.TYPE_METHOD -> new MethodFrame(frameChannel, MethodCodec.decode(in.readSlice(payloadSize)));
                case Frame.TYPE_HEADER -> decodeContentHeader(in.readSlice(payloadSize));
                case Frame.TYPE_BODY -> new ContentBodyFrame(frameChannel, in.readRetainedSlice(payloadSize));
                default -> decodeHeartbeat();
            };
            in.skipBytes(1);
            state = State.FRAME_HEADER;
            out.add(frame);
        } catch (AmqpException e) {
            fail(in, out, e);
        }
    }

    private ContentHeaderFrame decodeContentHeader(ByteBuf payload) {
        if (payload.readableBytes() < 14) {
            throw AmqpException.of(ReplyCode.FRAME_ERROR,
                    "content header of " + payload.readableBytes() + " bytes is too short");
        }
        int classId = payload.readUnsignedShort();
        int weight = payload.readUnsignedShort();
        long bodySize = payload.readLong();
        if (classId != BasicMethod.CLASS_ID) {
            throw AmqpException.of(ReplyCode.UNEXPECTED_FRAME,
                    "content header for class " + classId + ", which has no content");
        }
        BasicProperties properties = BasicPropertiesCodec.read(payload);
        return new ContentHeaderFrame(frameChannel, classId, weight, bodySize, properties);
    }

    private HeartbeatFrame decodeHeartbeat() {
        if (frameChannel != 0) {
            throw AmqpException.of(ReplyCode.FRAME_ERROR, "heartbeat frame on channel " + frameChannel);
        }
        if (payloadSize != 0) {
            throw AmqpException.of(ReplyCode.FRAME_ERROR, "heartbeat frame with a payload of " + payloadSize + " bytes");
        }
        return HeartbeatFrame.INSTANCE;
    }

    private void fail(ByteBuf in, List<Object> out, AmqpException error) {
        in.skipBytes(in.readableBytes());
        state = State.DISCARD;
        out.add(new FrameError(frameChannel, error));
    }
}
