package io.warren.amqp.server;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCode;
import io.warren.amqp.frame.Frame;
import io.warren.amqp.method.ConnectionMethod;

/**
 * The limits a connection runs with after connection.tune-ok, computed as RabbitMQ does: a client
 * value of 0 for channel_max or frame_max takes the server's; a value above the server's, or a
 * frame_max below 4096, is refused with 530 NOT_ALLOWED. The heartbeat is the client's. Pure.
 */
record TuneNegotiation(int channelMax, long frameMax, int heartbeatSeconds) {

    static TuneNegotiation negotiate(AmqpServerConfig server, ConnectionMethod.TuneOk client) {
        int channelMax = client.channelMax() == 0 ? server.channelMax() : client.channelMax();
        if (channelMax > server.channelMax()) {
            throw notAllowed("channel_max=" + channelMax + " > " + server.channelMax() + " max size");
        }
        long frameMax = client.frameMax() == 0 ? server.frameMax() : client.frameMax();
        if (frameMax < Frame.FRAME_MIN_SIZE) {
            throw notAllowed("frame_max=" + frameMax + " < " + Frame.FRAME_MIN_SIZE + " min size");
        }
        if (frameMax > server.frameMax()) {
            throw notAllowed("frame_max=" + frameMax + " > " + server.frameMax() + " max size");
        }
        return new TuneNegotiation(channelMax, frameMax, client.heartbeat());
    }

    private static AmqpException notAllowed(String detail) {
        return AmqpException.of(ReplyCode.NOT_ALLOWED, detail, ConnectionMethod.CLASS_ID,
                ConnectionMethod.TuneOk.METHOD_ID);
    }
}
