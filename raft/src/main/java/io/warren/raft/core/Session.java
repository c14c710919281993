package io.warren.raft.core;

/** The channel a command came on, with the connection's user and vhost resolved. */
record Session(ChannelState channel, ConnectionState connection, VhostState vhost) {
    String user() {
        return connection.user();
    }

    ExchangeState exchange(String name, AmqpMethod method) {
        ExchangeState exchange = vhost.exchanges.get(name);
        if (exchange == null) {
            throw method.refuse(ReplyCodes.NOT_FOUND, "no exchange '" + name + "' in " + vhost.describe());
        }
        return exchange;
    }

    QueueState queue(String name, AmqpMethod method) {
        QueueState queue = vhost.queues.get(name);
        if (queue == null) {
            throw method.refuse(ReplyCodes.NOT_FOUND, "no queue '" + name + "' in " + vhost.describe());
        }
        return queue;
    }

    /** Exclusive queues are for their owning connection only: 405 RESOURCE_LOCKED for anyone else. */
    void checkExclusive(QueueState queue, AmqpMethod method) {
        if (queue.exclusiveOwner != null && !queue.exclusiveOwner.equals(connection.key)) {
            throw method.refuse(ReplyCodes.RESOURCE_LOCKED, "cannot obtain exclusive access to locked "
                    + queue.describe() + ". It could be originally declared on another connection or the "
                    + "exclusive property value does not match that of the original declaration.");
        }
    }
}
