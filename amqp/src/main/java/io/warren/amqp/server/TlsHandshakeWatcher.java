package io.warren.amqp.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind the {@link SslHandler} of an AMQPS connection: a handshake that fails (an untrusted or expired
 * certificate, plaintext on the TLS port, a client that stalls past the handshake timeout) is logged once,
 * with the peer and the reason, and the socket closed; nothing of it reaches the AMQP handler, which never
 * saw the connection begin. After the handshake it only passes events on.
 */
final class TlsHandshakeWatcher extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeWatcher.class);

    private boolean handshaken;
    private boolean failed;

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            if (completion.isSuccess()) {
                handshaken = true;
                SSLSession session = context.pipeline().get(SslHandler.class).engine().getSession();
                log.debug("event=tls_established remote={} protocol={} cipher={}",
                        Addresses.format(context.channel().remoteAddress()), session.getProtocol(),
                        session.getCipherSuite());
            } else {
                refuse(context, completion.cause());
                return;
            }
        }
        context.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (handshaken) {
            context.fireExceptionCaught(cause);
        } else {
            refuse(context, cause);
        }
    }

    private void refuse(ChannelHandlerContext context, Throwable cause) {
        if (!failed) {
            failed = true;
            log.info("event=tls_handshake_failed remote={} reason=\"{}\"",
                    Addresses.format(context.channel().remoteAddress()), reason(cause));
        }
        context.close();
    }

    /** The innermost message: Netty wraps an SSLHandshakeException in a DecoderException. */
    static String reason(Throwable cause) {
        if (cause instanceof SslHandshakeTimeoutException) {
            return "handshake timed out: " + cause.getMessage();
        }
        Throwable innermost = cause;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String text = innermost.getClass().getSimpleName() + ": " + innermost.getMessage();
        return text.replace('"', '\'');
    }
}
