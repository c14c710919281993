package io.warren.amqp.server;

/** The life of one AMQP connection, as the server sees it (spec section 4.2 and 2.2.4). */
enum ConnectionState {
    /** The socket is open; the 8-byte protocol header has not arrived. */
    AWAITING_PROTOCOL_HEADER,
    /** connection.start was sent; waiting for start-ok with the client's credentials. */
    AWAITING_START_OK,
    /** start-ok arrived; the authenticator is checking the credentials. */
    AUTHENTICATING,
    /** connection.tune was sent; waiting for tune-ok. */
    AWAITING_TUNE_OK,
    /** Tuned; waiting for connection.open. */
    AWAITING_OPEN,
    /** connection.open arrived; the virtual host is being checked. */
    OPENING,
    /** open-ok was sent; channels may be used. */
    OPEN,
    /** The server sent connection.close; everything but close and close-ok is discarded. */
    CLOSING,
    /** The connection is over; the socket is closed or closing. */
    CLOSED
}
