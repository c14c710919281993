package io.warren.amqp.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.warren.amqp.codec.BasicPropertiesCodec;
import io.warren.amqp.method.MethodCodec;
import java.util.List;

/**
 * {@link Frame}s to bytes. Stateless and shared by every connection ({@link #INSTANCE}). A body frame
 * leaves as its header, the body buffer itself (retained, not copied) and the end octet. Splitting
 * content into frames that fit frame_max is the connection handler's job.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private static final int FRAME_HEADER_BYTES = 7;

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        switch (frame) {
            case MethodFrame method -> out.add(encodeMethod(ctx, method));
            case ContentHeaderFrame header -> out.add(encodeHeader(ctx, header));
            case ContentBodyFrame body -> encodeBody(ctx, body, out);
            case HeartbeatFrame heartbeat -> out.add(encodeHeartbeat(ctx));
        }
    }

    private static ByteBuf encodeMethod(ChannelHandlerContext ctx, MethodFrame frame) {
        ByteBuf buf = ctx.alloc().buffer();
        int sizeIndex = writeFrameHeader(buf, Frame.TYPE_METHOD, frame.channel());
        MethodCodec.encode(frame.method(), buf);
        return finishFrame(buf, sizeIndex);
    }

    private static ByteBuf encodeHeader(ChannelHandlerContext ctx, ContentHeaderFrame frame) {
        ByteBuf buf = ctx.alloc().buffer();
        int sizeIndex = writeFrameHeader(buf, Frame.TYPE_HEADER, frame.channel());
        buf.writeShort(frame.classId());
        buf.writeShort(frame.weight());
        buf.writeLong(frame.bodySize());
        BasicPropertiesCodec.write(frame.properties(), buf);
        return finishFrame(buf, sizeIndex);
    }

    private static void encodeBody(ChannelHandlerContext ctx, ContentBodyFrame frame, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(FRAME_HEADER_BYTES);
        header.writeByte(Frame.TYPE_BODY);
        header.writeShort(frame.channel());
        header.writeInt(frame.body().readableBytes());
        out.add(header);
        out.add(frame.body().retain());
        out.add(ctx.alloc().buffer(1).writeByte(Frame.FRAME_END));
    }

    private static ByteBuf encodeHeartbeat(ChannelHandlerContext ctx) {
        ByteBuf buf = ctx.alloc().buffer(Frame.OVERHEAD_BYTES);
        buf.writeByte(Frame.TYPE_HEARTBEAT);
        buf.writeShort(0);
        buf.writeInt(0);
        buf.writeByte(Frame.FRAME_END);
        return buf;
    }

    private static int writeFrameHeader(ByteBuf buf, int type, int channel) {
        buf.writeByte(type);
        buf.writeShort(channel);
        int sizeIndex = buf.writerIndex();
        buf.writeInt(0);
        return sizeIndex;
    }

    private static ByteBuf finishFrame(ByteBuf buf, int sizeIndex) {
        buf.setInt(sizeIndex, buf.writerIndex() - sizeIndex - 4);
        buf.writeByte(Frame.FRAME_END);
        return buf;
    }
}
