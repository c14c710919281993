package io.warren.raft.core;

import java.util.LinkedHashSet;

/**
 * tx.commit and tx.rollback in the core (docs/transactions.md): the publishes and settles a transactional
 * channel staged ({@link Transaction}) take effect together in the entry that ends them, or are dropped.
 * An end waits, unanswered, for any op it covers that a resent batch has not yet brought.
 */
final class TxCommands {
    private final BrokerState state;
    private final BasicCommands basic;
    private final AckCommands acks;

    TxCommands(BrokerState state, BasicCommands basic, AckCommands acks) {
        this.state = state;
        this.basic = basic;
        this.acks = acks;
    }

    /** tx.commit ({@code commit}) or tx.rollback of every op numbered up to {@code through}. */
    void end(Session session, long through, boolean commit, ApplyContext ctx) {
        Transaction tx = session.channel().transaction();
        if (through < tx.lastEndThrough()) {
            AmqpMethod method = commit ? AmqpMethod.TX_COMMIT : AmqpMethod.TX_ROLLBACK;
            throw method.refuse(ReplyCodes.COMMAND_INVALID, "transaction end " + through + " before "
                    + tx.lastEndThrough());
        }
        tx.pending.addLast(new Transaction.End(through, commit, ctx.node, ctx.epoch, ctx.command.getRequest()));
        endReady(session, ctx);
    }

    /** Ends each waiting end whose ops are all staged, in order, answering each: after an end or a staged op. */
    void endReady(Session session, ApplyContext ctx) {
        ChannelState channel = session.channel();
        Transaction tx = channel.tx;
        if (tx == null) {
            return;
        }
        LinkedHashSet<QueueState> touched = new LinkedHashSet<>();
        for (Transaction.End end = tx.ready(); end != null; end = tx.ready()) {
            for (Transaction.Op op : tx.take()) {
                if (!end.commit()) {
                    Transaction.drop(op, state.references, ctx);
                } else if (op instanceof Transaction.StagedPublish publish) {
                    basic.commit(session, publish, touched, ctx);
                } else if (op instanceof Transaction.StagedSettle settle) {
                    acks.commit(channel, settle, touched, ctx);
                }
            }
            if (end.request() != 0) {
                ctx.emit(new Effect.Answer(end.node(), end.epoch(), end.request(), Dispatcher.done()));
            }
        }
        if (!touched.isEmpty()) {
            acks.dispatchCredit(channel, touched, ctx);
        }
    }
}
