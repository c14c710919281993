package io.warren.amqp.frame;

/** A heartbeat frame; always on channel 0 with an empty payload. */
public record HeartbeatFrame() implements Frame {
    public static final HeartbeatFrame INSTANCE = new HeartbeatFrame();

    @Override
    public int channel() {
        return 0;
    }
}
