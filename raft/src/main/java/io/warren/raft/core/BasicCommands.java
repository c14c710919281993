package io.warren.raft.core;

import io.warren.proto.Cancel;
import io.warren.proto.Consume;
import io.warren.proto.ConsumerStarted;
import io.warren.proto.Credit;
import io.warren.proto.Get;
import io.warren.proto.GotMessage;
import io.warren.proto.GotNothing;
import io.warren.proto.Publish;
import io.warren.proto.Qos;
import io.warren.proto.Reply;
import io.warren.raft.core.AccessControl.Access;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** basic.qos, basic.consume, basic.cancel, basic.get and basic.publish. */
final class BasicCommands {
    private final BrokerState state;
    private final Dispatcher dispatcher;

    BasicCommands(BrokerState state, Dispatcher dispatcher) {
        this.state = state;
        this.dispatcher = dispatcher;
    }

    void qos(Session session, Qos cmd, ApplyContext ctx) {
        ChannelState channel = session.channel();
        if (cmd.getGlobal()) {
            channel.globalPrefetch = cmd.getPrefetchCount();
        } else {
            channel.consumerPrefetch = cmd.getPrefetchCount();
        }
        ctx.answer(Dispatcher.done());
        LinkedHashSet<QueueState> queues = new LinkedHashSet<>();
        channel.consumers.values().forEach(consumer -> queues.add(consumer.queue));
        dispatcher.dispatchAll(queues, ctx);
    }

    void consume(Session session, Consume cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.BASIC_CONSUME;
        ChannelState channel = session.channel();
        if (cmd.getQueue().equals(DirectReplyTo.QUEUE)) {
            consumeReplies(channel, cmd, method, ctx);
            return;
        }
        state.access.check(session, session.vhost().name, Access.READ, "queue", cmd.getQueue(), method);
        QueueState queue = session.queue(cmd.getQueue(), method);
        session.checkExclusive(queue, method);
        String tag = cmd.getConsumerTag().isEmpty() ? freshTag(channel, ctx) : cmd.getConsumerTag();
        if (channel.consumers.containsKey(tag)) {
            throw method.refuse(ReplyCodes.NOT_ALLOWED, "attempt to reuse consumer tag '" + tag + "'");
        }
        Arguments.checkConsumerPriority(cmd.getArguments(), queue.describe(), method);
        if (queue.hasExclusiveConsumer() || cmd.getExclusive() && !queue.consumers.isEmpty()
                || cmd.getExclusive() && queue.singleActiveConsumer && !queue.quorum) {
            // (a classic single-active-consumer queue takes no exclusive consumer at all, as RabbitMQ's)
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, queue.describe() + " in exclusive use");
        }
        ConsumerState consumer = new ConsumerState(state.nextConsumerId++, channel, tag, queue, cmd.getNoAck(),
                cmd.getExclusive(), channel.consumerPrefetch, cmd.getArguments(), cmd.getCredit() > 0, cmd.getCredit());
        channel.consumers.put(tag, consumer);
        queue.consumers.add(consumer);
        queue.refreshTopConsumerPriority();
        queue.hadConsumers = true;
        queue.lastUsedMs = state.clockMs;
        ctx.answer(Reply.newBuilder().setConsumerStarted(ConsumerStarted.newBuilder().setConsumerTag(tag)).build());
        dispatcher.dispatch(queue, ctx);
    }

    /** The channel's direct reply-to consumer, with RabbitMQ's refusals (probed on 3.10). */
    private static void consumeReplies(ChannelState channel, Consume cmd, AmqpMethod method, ApplyContext ctx) {
        if (!cmd.getNoAck()) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "reply consumer cannot acknowledge");
        }
        if (channel.replyConsumerTag != null) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "reply consumer already set");
        }
        if (cmd.getReplyKey().isEmpty()) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "a reply consumer needs its node's reply key");
        }
        String tag = cmd.getConsumerTag().isEmpty() ? freshTag(channel, ctx) : cmd.getConsumerTag();
        if (channel.consumers.containsKey(tag)) {
            throw method.refuse(ReplyCodes.NOT_ALLOWED, "attempt to reuse consumer tag '" + tag + "'");
        }
        channel.replyConsumerTag = tag;
        channel.replyKey = cmd.getReplyKey();
        ctx.answer(Reply.newBuilder().setConsumerStarted(ConsumerStarted.newBuilder().setConsumerTag(tag)).build());
    }

    private static String freshTag(ChannelState channel, ApplyContext ctx) {
        for (int attempt = 0; ; attempt++) {
            String tag = ctx.freshName("amq.ctag-", attempt);
            if (!channel.consumers.containsKey(tag)) {
                return tag;
            }
        }
    }

    /**
     * The consumer's node wrote earlier deliveries out and grants more. An unknown tag (the consumer was
     * cancelled meanwhile) is ignored: the grant raced the cancel.
     */
    void credit(Session session, Credit cmd, ApplyContext ctx) {
        ConsumerState consumer = session.channel().consumers.get(cmd.getConsumerTag());
        if (consumer != null && consumer.creditLimited) {
            consumer.credit += cmd.getCredit();
            dispatcher.dispatch(consumer.queue, ctx);
        }
    }

    /** Ends a consumer; an unknown tag is answered with cancel-ok too, as RabbitMQ does. */
    void cancel(Session session, Cancel cmd, ApplyContext ctx) {
        ConsumerState consumer = session.channel().consumers.get(cmd.getConsumerTag());
        ctx.answer(Dispatcher.done());
        if (cmd.getConsumerTag().equals(session.channel().replyConsumerTag)) {
            session.channel().replyConsumerTag = null; // its reply address reaches nobody from now on
            session.channel().replyKey = null;
        }
        if (consumer != null) {
            dispatcher.removeConsumer(consumer, ctx);
            if (consumer.queue.singleActiveConsumer && !consumer.queue.deleted) {
                dispatcher.dispatch(consumer.queue, ctx); // the next consumer is active now
            }
        }
    }

    void get(Session session, Get cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.BASIC_GET;
        ChannelState channel = session.channel();
        state.access.check(session, session.vhost().name, Access.READ, "queue", cmd.getQueue(), method);
        QueueState queue = session.queue(cmd.getQueue(), method);
        session.checkExclusive(queue, method);
        queue.lastUsedMs = state.clockMs; // basic.get uses the queue (x-expires), empty or not
        dispatcher.expireHead(queue, ctx);
        QueueEntry entry = queue.ready.pollFirst();
        if (entry == null) {
            dispatcher.noteExpiries(queue);
            ctx.answer(Reply.newBuilder().setGotNothing(GotNothing.getDefaultInstance()).build());
            return;
        }
        // The count in get-ok leaves out what expired behind the message taken (RabbitMQ's, probed).
        dispatcher.expireHead(queue, ctx);
        dispatcher.enforceLimits(queue, ctx);
        dispatcher.noteExpiries(queue);
        long tag = channel.nextDeliveryTag++;
        queue.totals.got(cmd.getNoAck(), entry.deliveryCount() > 0);
        state.totals.got(cmd.getNoAck(), entry.deliveryCount() > 0);
        if (!cmd.getNoAck()) {
            channel.unacked.put(tag, new ChannelState.Unacked(tag, queue, entry.delivered(), null, state.clockMs));
            dispatcher.noteConsumerTimeout(channel, queue);
            queue.unackedCount++;
        }
        ctx.answer(Reply.newBuilder().setGotMessage(GotMessage.newBuilder().setDeliveryTag(tag)
                .setRedelivered(entry.deliveryCount() > 0).setMessageCount(queue.ready.size())
                .setMessageKey(entry.key()).setDeliveryCount(queue.deliveryCountHeader(entry))).build());
        if (cmd.getNoAck()) {
            state.references.release(entry.key(), ctx);
        }
    }

    /**
     * Routes and enqueues a message. Unroutable with mandatory: basic.return (312 NO_ROUTE) before the
     * confirm, as RabbitMQ orders them. In confirm mode the confirm follows, once the message is in every
     * queue it was routed to: applying this entry is what makes it safe (DESIGN invariant 2). The
     * message's content is already in every node's store under this command's key. A reject-publish queue
     * past its limit does not take it, and then the confirm is a nack (RabbitMQ's rule for a message routed
     * to several queues: one refusal nacks it); the queues that took it keep it, and a classic
     * reject-publish-dlx queue with a dead-letter exchange dead-letters it. A bad expiration property closes
     * the channel before routing, as does a user_id other than the login user's, as in RabbitMQ. The keys of
     * the CC and BCC headers route it too (sender-selected distribution); the node stored it without BCC.
     */
    void publish(Session session, Publish cmd, ApplyContext ctx) {
        AmqpMethod method = AmqpMethod.BASIC_PUBLISH;
        VhostState vhost = session.vhost();
        ExchangeState exchange = session.exchange(cmd.getExchange(), method);
        if (exchange.internal) {
            throw method.refuse(ReplyCodes.ACCESS_REFUSED, "cannot publish to internal exchange '"
                    + exchange.name + "' in " + vhost.describe());
        }
        state.access.check(session, vhost.name, Access.WRITE, "exchange", exchange.name, method);
        if (exchange.type == ExchangeType.TOPIC) {
            state.access.checkTopic(session, vhost.name, exchange.name, cmd.getRoutingKey(), Access.WRITE,
                    method);
        }
        if (cmd.hasUserId() && !cmd.getUserId().equals(session.user()) && !impersonates(session.user())) {
            throw method.refuse(ReplyCodes.PRECONDITION_FAILED, "user_id property set to '" + cmd.getUserId()
                    + "' but authenticated user was '" + session.user() + "'");
        }
        long messageTtl = messageTtl(cmd);
        Router.checkSenderSelected(cmd.getHeaders(), method);
        long key = ctx.messageKey();
        if (cmd.getTxOp() != 0) {
            stage(session, exchange, cmd, key, ctx);
            return;
        }
        state.totals.publish++;
        if (held(vhost, exchange, cmd, key)) {
            ctx.published(1); // the delayed exchange holds it
            confirm(session.channel(), cmd, true, ctx);
            return;
        }
        if (exchange.name.isEmpty() && DirectReplyTo.isAddress(cmd.getRoutingKey())) {
            reply(session.channel(), cmd, key, ctx);
            ctx.published(0); // read by the delivery or return first, then let go
            confirm(session.channel(), cmd, true, ctx);
            return;
        }
        LinkedHashSet<QueueState> queues = Router.routeAll(vhost, exchange, cmd.getRoutingKey(), cmd.getHeaders());
        int[] placed = enqueueInto(queues, cmd, key, messageTtl, ctx);
        if (queues.isEmpty() && cmd.getMandatory()) {
            ctx.emit(new Effect.Return(session.channel().ref, ReplyCodes.NO_ROUTE, "NO_ROUTE", key));
            state.totals.returnUnroutable++;
        } else if (queues.isEmpty()) {
            state.totals.dropUnroutable++;
        }
        ctx.published(placed[0]);
        confirm(session.channel(), cmd, placed[1] == queues.size(), ctx);
        dispatcher.dispatchAll(queues, ctx);
    }

    /**
     * Enqueues a message into each of {@code queues} that takes it; returns how many hold it (a refused one
     * that goes to its dead-letter exchange holds it too) and how many took it.
     */
    private int[] enqueueInto(Collection<QueueState> queues, Publish cmd, long key, long messageTtl,
            ApplyContext ctx) {
        int holders = 0;
        int accepted = 0;
        for (QueueState queue : queues) {
            if (queue.accepts(cmd.getBodySize())) {
                queue.enqueue(key, cmd.getBodySize(), cmd.getPersistent(), state.clockMs, messageTtl,
                        cmd.getPriority());
                queue.totals.publish++;
                holders++;
                accepted++;
            } else if (queue.limits.overflow() == QueueLimits.Overflow.REJECT_PUBLISH_DLX && queue.deadLetters()) {
                // RabbitMQ 3.10 (probed) nacks the publisher and dead-letters the refused message as well
                state.deadLetters.add(queue, new QueueEntry(0, key, cmd.getBodySize(), cmd.getPersistent(), 0),
                        DeadLetters.Reason.MAXLEN, state.clockMs, ctx);
                holders++;
            }
        }
        return new int[] {holders, accepted};
    }

    /** The TTL of a publish's expiration property, -1 for none; a bad one is refused (406) at the publish. */
    private static long messageTtl(Publish cmd) {
        return cmd.hasExpiration() ? MessageExpiry.parseExpiration(cmd.getExpiration(), AmqpMethod.BASIC_PUBLISH) : -1;
    }

    private void confirm(ChannelState channel, Publish cmd, boolean ack, ApplyContext ctx) {
        if (cmd.getConfirmSequence() != 0) {
            ctx.emit(new Effect.Confirm(channel.ref, cmd.getConfirmSequence(), ack));
            if (ack) {
                state.totals.confirm++;
            }
        }
    }

    /**
     * A publish on a transactional channel, checked: routed now, as RabbitMQ routes it at the method, and
     * staged with the queues' names; the transaction holds its message until it ends.
     */
    private void stage(Session session, ExchangeState exchange, Publish cmd, long key, ApplyContext ctx) {
        List<String> queues = new ArrayList<>();
        if (!(exchange.name.isEmpty() && DirectReplyTo.isAddress(cmd.getRoutingKey()))) {
            Router.routeAll(session.vhost(), exchange, cmd.getRoutingKey(), cmd.getHeaders())
                    .forEach(queue -> queues.add(queue.name));
        }
        boolean staged = session.channel().transaction().stage(cmd.getTxOp(),
                new Transaction.StagedPublish(cmd, key, List.copyOf(queues)));
        ctx.published(staged ? 1 : 0);
    }

    /**
     * A committed publish: into the queues it was routed to that are still there, at the commit's time;
     * returned when mandatory and no queue took it, as RabbitMQ returns it at commit.
     */
    void commit(Session session, Transaction.StagedPublish staged, Set<QueueState> touched, ApplyContext ctx) {
        Publish cmd = staged.publish();
        ChannelState channel = session.channel();
        if (cmd.getExchange().isEmpty() && DirectReplyTo.isAddress(cmd.getRoutingKey())) {
            reply(channel, cmd, staged.key(), ctx);
            state.references.published(staged.key(), 0, ctx);
            return;
        }
        ExchangeState exchange = session.vhost().exchanges.get(cmd.getExchange());
        if (exchange != null && held(session.vhost(), exchange, cmd, staged.key())) {
            return; // the transaction's hold passes to the delayed exchange
        }
        List<QueueState> queues = new ArrayList<>();
        for (String name : staged.queues()) {
            QueueState queue = session.vhost().queues.get(name);
            if (queue != null) {
                queues.add(queue);
            }
        }
        long messageTtl = messageTtl(cmd);
        int[] placed = enqueueInto(queues, cmd, staged.key(), messageTtl, ctx);
        if (placed[0] == 0 && cmd.getMandatory()) {
            ctx.emit(new Effect.Return(channel.ref, ReplyCodes.NO_ROUTE, "NO_ROUTE", staged.key()));
        }
        state.references.published(staged.key(), placed[0], ctx);
        touched.addAll(queues);
    }

    /**
     * Whether a delayed exchange takes the message to hold (an x-delay of 1 ms or more); then it is in no queue
     * and not returned (the plugin returns it at once, though it is delivered later), and its confirm says it
     * is held on a majority.
     */
    private boolean held(VhostState vhost, ExchangeState exchange, Publish cmd, long key) {
        long delay = exchange.type == ExchangeType.DELAYED ? DelayedMessages.delayOf(cmd.getHeaders()) : 0;
        if (delay > 0) {
            state.delayed.hold(vhost.name, exchange.name, cmd, key, state.clockMs, delay);
        }
        return delay > 0;
    }

    /**
     * The leader's tick: each delayed message now due is routed as its exchange's x-delayed-type routes, from
     * that exchange as it is now (gone: the message goes nowhere), with the queues' TTLs counted from now. An
     * unroutable one is dropped, not returned: its publisher may be long gone.
     */
    void releaseDelayed(ApplyContext ctx) {
        for (DelayedMessages.Delayed due : state.delayed.takeDue(state.clockMs)) {
            VhostState vhost = state.vhosts.get(due.vhost());
            ExchangeState exchange = vhost == null ? null : vhost.exchanges.get(due.exchange());
            if (exchange == null) {
                state.references.release(due.key(), ctx);
                continue;
            }
            Publish cmd = due.publish();
            LinkedHashSet<QueueState> queues = Router.routeAll(vhost, exchange, cmd.getRoutingKey(), cmd.getHeaders());
            long messageTtl = messageTtl(cmd);
            int[] placed = enqueueInto(queues, cmd, due.key(), messageTtl, ctx);
            state.references.published(due.key(), placed[0], ctx);
            dispatcher.dispatchAll(queues, ctx);
        }
    }

    /**
     * A reply to a direct reply-to address: delivered to its channel's reply consumer (no queue, no ack),
     * wherever that channel is; with the channel gone it goes nowhere, returned when mandatory. Confirmed
     * either way, as RabbitMQ confirms an unroutable message; the caller lets the message go after.
     */
    private void reply(ChannelState from, Publish cmd, long key, ApplyContext ctx) {
        ChannelState target = DirectReplyTo.find(state, cmd.getRoutingKey());
        if (target != null) {
            ctx.emit(new Effect.Deliver(target.ref, target.replyConsumerTag, target.nextDeliveryTag++, false, key, -1));
        } else if (cmd.getMandatory()) {
            ctx.emit(new Effect.Return(from.ref, ReplyCodes.NO_ROUTE, "NO_ROUTE", key));
        }
    }

    /** RabbitMQ's impersonator tag lets a user publish with any user_id. */
    private boolean impersonates(String user) {
        UserRecord record = state.access.users.get(user);
        return record != null && record.tags().contains("impersonator");
    }
}
