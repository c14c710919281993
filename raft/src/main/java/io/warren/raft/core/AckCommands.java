package io.warren.raft.core;

import io.warren.proto.Ack;
import io.warren.proto.Nack;
import io.warren.proto.Recover;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** basic.ack, basic.nack, basic.reject and basic.recover: settling what a channel was given. */
final class AckCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    AckCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    /** An acknowledged message is gone; freed credit may let its queue deliver more. */
    void ack(Session session, Ack cmd, ApplyContext ctx) {
        ChannelState channel = session.channel();
        List<ChannelState.Unacked> deliveries = select(channel, cmd.getDeliveryTag(), cmd.getMultiple(),
                AmqpMethod.BASIC_ACK);
        if (cmd.getTxOp() != 0) {
            stage(channel, cmd.getTxOp(), deliveries, true, false);
            return;
        }
        LinkedHashSet<QueueState> touched = new LinkedHashSet<>();
        for (ChannelState.Unacked delivery : deliveries) {
            QueueState queue = dispatcher.settleAndRelease(channel, delivery, ctx);
            touched.add(queue);
            queue.totals.ack++;
            state.totals.ack++;
        }
        dispatchCredit(channel, touched, ctx);
    }

    /** basic.nack and basic.reject: requeue (redelivered), or reject (to the dead-letter exchange, or dropped). */
    void nack(Session session, Nack cmd, ApplyContext ctx) {
        ChannelState channel = session.channel();
        AmqpMethod method = cmd.getReject() ? AmqpMethod.BASIC_REJECT : AmqpMethod.BASIC_NACK;
        List<ChannelState.Unacked> deliveries = select(channel, cmd.getDeliveryTag(),
                cmd.getMultiple() && !cmd.getReject(), method);
        if (cmd.getTxOp() != 0) {
            stage(channel, cmd.getTxOp(), deliveries, false, cmd.getRequeue());
            return;
        }
        LinkedHashSet<QueueState> touched;
        if (cmd.getRequeue()) {
            touched = dispatcher.requeue(channel, deliveries, ctx);
        } else {
            touched = new LinkedHashSet<>();
            for (ChannelState.Unacked delivery : deliveries) {
                touched.add(dispatcher.reject(channel, delivery, ctx));
            }
        }
        dispatchCredit(channel, touched, ctx);
    }

    /**
     * A settle on a transactional channel: its deliveries stay unacked, named by the staged settle, until the
     * transaction ends (a second settle of one inside it is 406, as in RabbitMQ).
     */
    private static void stage(ChannelState channel, long number, List<ChannelState.Unacked> deliveries, boolean ack,
            boolean requeue) {
        List<Long> tags = deliveries.stream().map(ChannelState.Unacked::deliveryTag).toList();
        channel.transaction().stage(number, new Transaction.StagedSettle(tags, ack, requeue));
    }

    /** A committed settle: what it names that the channel still holds is acked, requeued or rejected now. */
    void commit(ChannelState channel, Transaction.StagedSettle staged, Set<QueueState> touched, ApplyContext ctx) {
        List<ChannelState.Unacked> deliveries = new ArrayList<>();
        for (long tag : staged.tags()) {
            ChannelState.Unacked delivery = channel.unacked.get(tag);
            if (delivery != null) {
                deliveries.add(delivery);
            }
        }
        if (staged.ack()) {
            deliveries.forEach(delivery -> touched.add(dispatcher.settleAndRelease(channel, delivery, ctx)));
        } else if (staged.requeue()) {
            touched.addAll(dispatcher.requeue(channel, deliveries, ctx));
        } else {
            deliveries.forEach(delivery -> touched.add(dispatcher.reject(channel, delivery, ctx)));
        }
    }

    /** basic.recover requeue=true puts every unacked delivery of the channel back; false is refused as RabbitMQ does. */
    void recover(Session session, Recover cmd, ApplyContext ctx) {
        if (!cmd.getRequeue()) {
            throw AmqpMethod.BASIC_RECOVER.refuse(ReplyCodes.NOT_IMPLEMENTED, "requeue=false");
        }
        ChannelState channel = session.channel();
        // what a staged settle of its transaction names stays out, as RabbitMQ keeps it off the channel's list
        List<ChannelState.Unacked> out = channel.unacked.values().stream()
                .filter(delivery -> !channel.settling(delivery.deliveryTag())).toList();
        LinkedHashSet<QueueState> touched = dispatcher.requeue(channel, new ArrayList<>(out), ctx);
        ctx.answer(Dispatcher.done());
        dispatchCredit(channel, touched, ctx);
    }

    /**
     * The deliveries an ack, nack or reject names: one tag, or with {@code multiple} every tag up to it
     * (all of them for tag 0). A tag the channel does not hold is refused with 406, as RabbitMQ does; so is one
     * a staged settle of its transaction names, which {@code multiple} passes over.
     */
    private static List<ChannelState.Unacked> select(ChannelState channel, long tag, boolean multiple,
            AmqpMethod method) {
        List<ChannelState.Unacked> selected = new ArrayList<>();
        if (multiple && tag == 0) {
            channel.unacked.values().stream().filter(d -> !channel.settling(d.deliveryTag())).forEach(selected::add);
            return selected;
        }
        if (!channel.unacked.containsKey(tag) || channel.settling(tag)) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "unknown delivery tag " + tag);
        }
        if (!multiple) {
            selected.add(channel.unacked.get(tag));
            return selected;
        }
        for (ChannelState.Unacked delivery : channel.unacked.values()) {
            if (delivery.deliveryTag() > tag) {
                break;
            }
            if (!channel.settling(delivery.deliveryTag())) {
                selected.add(delivery);
            }
        }
        return selected;
    }

    /** Settled deliveries free credit on their queues and on every queue this channel consumes from. */
    void dispatchCredit(ChannelState channel, LinkedHashSet<QueueState> touched, ApplyContext ctx) {
        if (channel.globalPrefetch != 0) {
            channel.consumers.values().forEach(consumer -> touched.add(consumer.queue));
        }
        touched.removeIf(queue -> queue.deleted);
        dispatcher.dispatchAll(touched, ctx);
    }
}
