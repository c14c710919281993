package io.warren.amqp.frame;

/**
 * One AMQP frame: {@code type(1) channel(2) size(4) payload(size) frame-end(0xCE)}. The decoder turns
 * bytes into these; the encoder turns these into bytes.
 */
public sealed interface Frame permits MethodFrame, ContentHeaderFrame, ContentBodyFrame, HeartbeatFrame {
    int TYPE_METHOD = 1;
    int TYPE_HEADER = 2;
    int TYPE_BODY = 3;
    int TYPE_HEARTBEAT = 8;
    int FRAME_END = 0xCE;
    /** Bytes of a frame that are not payload: the 7-byte header and the end octet. */
    int OVERHEAD_BYTES = 8;
    /** The smallest frame_max a peer may negotiate, and the limit before tune. */
    int FRAME_MIN_SIZE = 4096;

    /** The channel number, 0 for the connection itself. */
    int channel();
}
