package io.warren.raft.core;

import static io.warren.raft.core.CommandFixtures.*;
import static io.warren.raft.core.Commands.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.proto.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core's AMQP semantics, one test per rule, asserting on replies and on effects. Expected codes and
 * behaviour are RabbitMQ 3.10's, as probed with pika against Debian's rabbitmq-server.
 */
class BrokerCoreTest {
    private final CoreDriver driver = new CoreDriver();

    @Test
    void shouldNameServerNamedQueuesAmqGenDeterministically() {
        var ch = driver.connect().channel();
        String name = ch.ok(declareQueue("")).getQueueDeclared().getQueue();
        assertTrue(name.matches("amq\\.gen-[A-Za-z0-9_-]{22}"), name);
        CoreDriver other = new CoreDriver();
        assertEquals(name, other.connect().channel().ok(declareQueue("")).getQueueDeclared().getQueue());
    }

    @Test
    void shouldRefuseMismatchedRedeclareWith406AndAcceptAnIdenticalOne() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q", true, false, false));
        ch.ok(declareQueue("q", true, false, false));
        ch.refused(406, declareQueue("q", false, false, false));
        var ch2 = driver.connect().channel();
        ch2.ok(declareExchange("x", "direct"));
        ch2.refused(406, declareExchange("x", "fanout"));
    }

    @Test
    void shouldRefuseReservedNamesAndUnknownTypes() {
        var ch = driver.connect().channel();
        ch.refused(403, declareQueue("amq.q"));
        ch = driver.connect().channel();
        ch.refused(403, declareExchange("amq.foo", "direct"));
        ch = driver.connect().channel();
        ch.refused(503, declareExchange("x", "bogus"));
        ch = driver.connect().channel();
        ch.refused(403, deleteExchange("amq.direct", false));
        ch = driver.connect().channel();
        ch.refused(404, declareQueuePassive("missing"));
        ch = driver.connect().channel();
        ch.refused(503, declareExchange("amq.new", "bogus"));
    }

    @Test
    void shouldAnswerARedeclareOfAPredeclaredExchangeThatMatchesAsRabbitMqDoes() {
        var ch = driver.connect().channel();
        for (String[] exchange : new String[][] {{"amq.direct", "direct"}, {"amq.fanout", "fanout"},
                {"amq.topic", "topic"}, {"amq.headers", "headers"}, {"amq.match", "headers"}}) {
            ch.ok(declareExchange(exchange[0], exchange[1], true, false));
        }
        Reply otherType = ch.call(declareExchange("amq.direct", "fanout", true, false));
        assertEquals(406, otherType.getRefusal().getCode());
        assertEquals("inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received 'fanout' but current"
                + " is 'direct'", otherType.getRefusal().getText());
        ch = driver.connect().channel();
        Reply notDurable = ch.call(declareExchange("amq.direct", "direct", false, false));
        assertEquals("inequivalent arg 'durable' for exchange 'amq.direct' in vhost '/': received 'false' but current"
                + " is 'true'", notDurable.getRefusal().getText());
    }

    @Test
    void shouldLockExclusiveQueuesToTheirConnection() {
        var owner = driver.connect().channel();
        owner.ok(declareQueue("ex", false, true, false));
        var other = driver.connect().channel();
        other.refused(405, consume("ex", "", false));
        owner.ok(consume("ex", "", false));
    }

    @Test
    void shouldDeleteExclusiveQueuesWhenTheirConnectionCloses() {
        var conn = driver.connect();
        conn.channel().ok(declareQueue("ex", false, true, false));
        conn.close();
        driver.connect().channel().refused(404, declareQueuePassive("ex"));
    }

    @Test
    void shouldRouteDirectFanoutTopicAndHeaders() {
        var ch = driver.connect().channel();
        for (String q : List.of("d", "f", "t", "h")) {
            ch.ok(declareQueue(q));
        }
        ch.ok(bind("d", "amq.direct", "k"));
        ch.ok(bind("f", "amq.fanout", "ignored"));
        ch.ok(bind("t", "amq.topic", "*.error"));
        ch.ok(bind("h", "amq.headers", "", table("x-match", "any", "level", "error")));
        ch.publish("amq.direct", "k", "direct");
        ch.publish("amq.fanout", "anything", "fanout");
        ch.publish("amq.topic", "kern.error", "topic");
        ch.publish("amq.topic", "kern.info", "topic-miss");
        ch.send(publish("amq.headers", "", "headers", false, 0, table("level", "error"), false));
        for (String q : List.of("d", "f", "t", "h")) {
            assertEquals(1, ch.ok(declareQueuePassive(q)).getQueueDeclared().getMessageCount(), q);
        }
    }

    @Test
    void shouldRouteThroughExchangeToExchangeBindingsWithoutLooping() {
        var ch = driver.connect().channel();
        ch.ok(declareExchange("a", "fanout"));
        ch.ok(declareExchange("b", "fanout"));
        ch.ok(bindExchange("b", "a", ""));
        ch.ok(bindExchange("a", "b", ""));
        ch.ok(declareQueue("q"));
        ch.ok(bind("q", "b", ""));
        ch.publish("a", "", "m");
        assertEquals(1, ch.ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount());
    }

    @Test
    void shouldDiscardAStoredMessageOnlyWhenTheLastQueueHoldingItLetsGo() {
        var ch = driver.connect().channel();
        for (String q : List.of("f1", "f2", "f3")) {
            ch.ok(declareQueue(q));
            ch.ok(bind(q, "amq.fanout", ""));
        }
        ch.publish("amq.fanout", "", "shared");
        long key = MessageKeys.key(driver.log.size(), 0);
        ch.ok(get("f1", true));
        ch.ok(purge("f2"));
        assertTrue(driver.discarded.isEmpty(), "f3 still holds it");
        var got = ch.ok(get("f3", false));
        assertEquals("shared", driver.body(got.getGotMessage().getMessageKey()));
        assertTrue(driver.discarded.isEmpty(), "out unacknowledged, still held");
        List<Effect> effects = ch.send(ack(got.getGotMessage().getDeliveryTag(), false));
        assertEquals(List.of(new Effect.Discard(key)), effects);
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void shouldDiscardWhatADeletedQueueHeldReadyOrOutUnacked() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("doomed"));
        ch.publish("", "doomed", "ready");
        ch.publish("", "doomed", "out");
        ch.ok(get("doomed", false));
        ch.ok(deleteQueue("doomed", false, false));
        assertEquals(1, driver.discarded.size(), "the ready message went with the queue");
        ch.send(Commands.nack(1, false, true));
        assertEquals(2, driver.discarded.size(), "requeued into a deleted queue: discarded");
        driver.checkNoStoredMessageLeaks();
    }

    @Test
    void shouldDeliverToACreditLimitedConsumerOnlyAsItsNodeGrants() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        for (int i = 1; i <= 5; i++) {
            ch.publish("", "q", "m" + i);
        }
        ch.ok(consume("q", "slow", true).setConsume(consume("q", "slow", true).getConsume().toBuilder().setCredit(2)));
        assertEquals(List.of("m1", "m2"), ch.deliveredBodies(), "no-ack, no prefetch: only the window is sent");
        ch.send(io.warren.proto.Command.newBuilder().setCredit(io.warren.proto.Credit.newBuilder()
                .setConsumerTag("slow").setCredit(2)));
        assertEquals(List.of("m1", "m2", "m3", "m4"), ch.deliveredBodies());
        ch.send(io.warren.proto.Command.newBuilder().setCredit(io.warren.proto.Credit.newBuilder()
                .setConsumerTag("gone").setCredit(5)));
        assertEquals(4, ch.deliveredBodies().size(), "a grant for an unknown consumer changes nothing");
        assertEquals(1, driver.core.queries().queues("/").get(0).messagesReady());
        byte[] before = DeterminismTest.snapshot(driver.core);
        assertArrayEquals(before, DeterminismTest.snapshot(DeterminismTest.load(before)),
                "the credit left survives a snapshot");
    }

    @Test
    void shouldTellEveryNodeOfTheClustersAlarmsUntilTheNodeClearsThemOrGoesDown() {
        driver.register("n1");
        driver.register("n2");
        List<Effect> raised = driver.submit("n2", io.warren.proto.Command.newBuilder().setSetAlarms(
                io.warren.proto.SetAlarms.newBuilder().setNode("n2").setMemory(true)).build());
        assertEquals(List.of(new Effect.Alarms(List.of("n2: memory"))), raised);
        assertEquals(Effect.Discard.EVERY_NODE, raised.get(0).node(), "every node blocks its publishers");
        List<Effect> forged = driver.submit("n1", io.warren.proto.Command.newBuilder().setSetAlarms(
                io.warren.proto.SetAlarms.newBuilder().setNode("n2").setDisk(true)).build());
        assertTrue(forged.isEmpty(), "a node sets only its own alarms: " + forged);
        List<Effect> again = driver.submit("n2", io.warren.proto.Command.newBuilder().setSetAlarms(
                io.warren.proto.SetAlarms.newBuilder().setNode("n2").setMemory(true)).build());
        assertTrue(again.isEmpty(), "no change, no news");
        byte[] snapshot = DeterminismTest.snapshot(driver.core);
        assertArrayEquals(snapshot, DeterminismTest.snapshot(DeterminismTest.load(snapshot)), "alarms survive a snapshot");
        List<Effect> down = driver.submit("n1", declareNodeDown("n2", 1).build());
        assertTrue(down.contains(new Effect.Alarms(List.of())), "a node declared down has no alarms: " + down);
        long epoch = driver.register("n3");
        assertTrue(driver.effects.contains(new Effect.Alarms(List.of())), "a registering node learns the alarms");
        assertEquals(1, epoch);
    }

    @Test
    void shouldReturnUnroutableMandatoryMessagesBeforeConfirmingThem() {
        var ch = driver.connect().channel();
        List<Effect> effects = ch.send(publish("amq.direct", "nowhere", "m", true, 1));
        assertEquals(3, effects.size());
        assertTrue(effects.get(0) instanceof Effect.Return r && r.replyCode() == 312);
        long returned = ((Effect.Return) effects.get(0)).messageKey();
        assertEquals("m", driver.body(returned));
        assertEquals(new Effect.Discard(returned), effects.get(1), "no queue holds it: the store may reclaim it");
        assertTrue(effects.get(2) instanceof Effect.Confirm c && c.sequence() == 1 && c.ack());
    }

    @Test
    void shouldCloseTheChannelWith404WhenPublishingToAMissingExchangeAndIgnoreWhatFollows() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        List<Effect> effects = ch.publish("missing", "q", "m");
        assertTrue(effects.get(0) instanceof Effect.CloseChannel c && c.refusal().getCode() == 404);
        assertTrue(effects.stream().anyMatch(e -> e instanceof Effect.Discard), "the refused message is discarded");
        List<Effect> ignored = ch.publish("", "q", "after");
        assertEquals(1, ignored.size());
        assertTrue(ignored.get(0) instanceof Effect.Discard, "ignored, and its stored message discarded: " + ignored);
        assertEquals(0, driver.connect().channel().ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount());
    }

    @Test
    void shouldDeliverRoundRobinToConsumersWithCredit() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.ok(consume("q", "c1", true));
        ch.ok(consume("q", "c2", true));
        for (int i = 0; i < 4; i++) {
            ch.publish("", "q", "m" + i);
        }
        List<String> tags = ch.deliveries().stream().map(Effect.Deliver::consumerTag).toList();
        assertEquals(List.of("c1", "c2", "c1", "c2"), tags);
    }

    @Test
    void shouldHoldBackDeliveriesBeyondPrefetchUntilAcked() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.ok(qos(1, false));
        ch.ok(consume("q", "c", false));
        ch.publish("", "q", "m1");
        ch.publish("", "q", "m2");
        assertEquals(List.of("m1"), ch.deliveredBodies());
        ch.send(ack(1, false));
        assertEquals(List.of("m1", "m2"), ch.deliveredBodies());
    }

    @Test
    void shouldShareAGlobalPrefetchAcrossTheChannelsConsumers() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("a"));
        ch.ok(declareQueue("b"));
        ch.ok(qos(1, true));
        ch.ok(consume("a", "ca", false));
        ch.ok(consume("b", "cb", false));
        ch.publish("", "a", "1");
        ch.publish("", "b", "2");
        assertEquals(List.of("1"), ch.deliveredBodies());
        ch.send(ack(1, false));
        assertEquals(List.of("1", "2"), ch.deliveredBodies());
    }

    @Test
    void shouldRequeueNackedMessagesMarkedRedeliveredAndDropRejectedOnes() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.ok(consume("q", "c", false));
        ch.publish("", "q", "m");
        ch.send(nack(1, false, true));
        List<Effect.Deliver> deliveries = ch.deliveries();
        assertEquals(2, deliveries.size());
        assertFalse(deliveries.get(0).redelivered());
        assertTrue(deliveries.get(1).redelivered());
        ch.send(reject(2, false));
        assertEquals(0, ch.ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount());
    }

    @Test
    void shouldAckEverythingUpToATagWithMultiple() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        for (int i = 0; i < 3; i++) {
            ch.publish("", "q", "m" + i);
        }
        for (int i = 0; i < 3; i++) {
            ch.ok(get("q", false));
        }
        ch.send(ack(2, true));
        assertEquals(1, driver.core.queries().queues("/").get(0).messagesUnacknowledged());
    }

    @Test
    void shouldRefuseAnUnknownDeliveryTagWith406() {
        var ch = driver.connect().channel();
        List<Effect> effects = ch.send(ack(99, false));
        assertTrue(effects.get(0) instanceof Effect.CloseChannel c && c.refusal().getCode() == 406
                && c.refusal().getText().equals("unknown delivery tag 99"));
    }

    @Test
    void shouldRequeueUnackedDeliveriesWhenTheChannelCloses() {
        var conn = driver.connect();
        var ch = conn.channel();
        ch.ok(declareQueue("q"));
        ch.publish("", "q", "m");
        Reply got = ch.ok(get("q", false));
        assertFalse(got.getGotMessage().getRedelivered());
        ch.ok(closeChannel());
        var again = conn.channel();
        Reply regot = again.ok(get("q", false));
        assertTrue(regot.getGotMessage().getRedelivered());
        assertEquals(1, regot.getGotMessage().getDeliveryTag(), "delivery tags are per channel");
    }

    @Test
    void shouldAnswerGetEmptyOnAnEmptyQueue() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        assertTrue(ch.ok(get("q", true)).hasGotNothing());
    }

    @Test
    void shouldCancelConsumersWhenTheirQueueIsDeleted() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.ok(consume("q", "c", false));
        ch.publish("", "q", "m");
        var deleter = driver.connect().channel();
        deleter.ok(deleteQueue("q", false, false));
        assertTrue(driver.effects.stream().anyMatch(e -> e instanceof Effect.CancelConsumer c && c.consumerTag().equals("c")));
        ch.send(ack(1, false));
    }

    @Test
    void shouldHonourIfUnusedAndIfEmptyAndReportTheDeletedCount() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.publish("", "q", "m");
        ch.refused(406, deleteQueue("q", false, true));
        ch = driver.connect().channel();
        ch.ok(consume("q", "c", true));
        var other = driver.connect().channel();
        other.refused(406, deleteQueue("q", true, false));
        other = driver.connect().channel();
        assertEquals(0, other.ok(deleteQueue("q", false, false)).getMessageCount().getMessageCount());
        assertEquals(0, other.ok(deleteQueue("never-was", false, false)).getMessageCount().getMessageCount());
    }

    @Test
    void shouldDeleteAutoDeleteQueuesWhenTheLastConsumerGoesAndAutoDeleteExchangesWhenUnbound() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q", false, false, true));
        ch.ok(declareExchange("x", "fanout", false, true));
        ch.ok(bind("q", "x", ""));
        ch.ok(consume("q", "c", true));
        ch.ok(cancel("c"));
        ch.refused(404, declareQueuePassive("q"));
        assertTrue(driver.core.queries().exchanges("/").stream().noneMatch(x -> x.name().equals("x")));
    }

    @Test
    void shouldRefuseASecondConsumerBesideAnExclusiveOne() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.ok(consumeExclusive("q", "solo"));
        var other = driver.connect().channel();
        other.refused(403, consume("q", "", false));
    }

    @Test
    void shouldRefuseAReusedConsumerTagWith530() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.ok(consume("q", "t", false));
        ch.refused(530, consume("q", "t", false));
    }

    @Test
    void shouldRefuseUnsupportedQueueArgumentsRatherThanIgnoreThem() {
        var ch = driver.connect().channel();
        ch.refused(406, Commands.declareQueue("q").setDeclareQueue(io.warren.proto.DeclareQueue.newBuilder()
                .setName("q").setArguments(table("x-max-age", "1D"))));
    }

    @Test
    void shouldApplyAResentBatchOnce() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        ch.publish("", "q", "m");
        driver.apply(driver.log.get(driver.log.size() - 1));
        assertEquals(1, ch.ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount());
    }

    @Test
    void shouldApplyAResendThatArrivesAfterLaterBatchesExactlyOnce() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        long epoch = driver.core.queries().epochOf("n1");
        var resent = io.warren.proto.Batch.newBuilder().setNode("n1").setEpoch(epoch).setSequence(100)
                .addCommands(publish("", "q", "first, resent", false, 0).setChannel(ch.ref)).build();
        var later = io.warren.proto.Batch.newBuilder().setNode("n1").setEpoch(epoch).setSequence(101)
                .addCommands(publish("", "q", "second", false, 0).setChannel(ch.ref)).build();
        driver.apply(later);
        driver.apply(resent);
        driver.apply(resent);
        driver.apply(later);
        assertEquals(2, ch.ok(declareQueuePassive("q")).getQueueDeclared().getMessageCount(),
                "each applied once, whatever the order they came in");
    }

    @Test
    void shouldLetANodeFindItsRegistrationInTheStateEvenAcrossASnapshot() {
        byte[] incarnation = {7, 7, 7};
        driver.apply(io.warren.proto.Batch.newBuilder().setNode("n9").addCommands(io.warren.proto.Command.newBuilder()
                .setRegisterNode(io.warren.proto.RegisterNode.newBuilder().setNode("n9")
                        .setIncarnation(com.google.protobuf.ByteString.copyFrom(incarnation)))).build());
        assertEquals(1, driver.core.queries().epochRegisteredBy("n9", incarnation));
        assertEquals(0, driver.core.queries().epochRegisteredBy("n9", new byte[] {1}), "another process start");
        BrokerCore restored = DeterminismTest.load(DeterminismTest.snapshot(driver.core));
        assertEquals(1, restored.queries().epochRegisteredBy("n9", incarnation),
                "a node whose registration entry was covered by an installed snapshot still finds its epoch");
    }

    @Test
    void shouldApplyTheSameRegistrationOnceWhenItsEntryIsSentAgain() {
        var registration = io.warren.proto.Batch.newBuilder().setNode("n9").addCommands(io.warren.proto.Command
                .newBuilder().setRequest(1).setRegisterNode(io.warren.proto.RegisterNode.newBuilder().setNode("n9")
                        .setIncarnation(com.google.protobuf.ByteString.copyFrom(new byte[] {4, 2})))).build();
        driver.apply(registration);
        List<Effect> again = driver.apply(registration);
        assertEquals(1, driver.core.queries().epochOf("n9"), "the copy (sent again to a new leader) is no new epoch");
        assertEquals(1, CoreDriver.answerTo(again, 1).getNodeRegistered().getEpoch(), "and answers the same epoch");
        driver.apply(registration.toBuilder().setCommands(0, registration.getCommands(0).toBuilder()
                .setRegisterNode(registration.getCommands(0).getRegisterNode().toBuilder()
                        .setIncarnation(com.google.protobuf.ByteString.copyFrom(new byte[] {4, 3})))).build());
        assertEquals(2, driver.core.queries().epochOf("n9"), "a new registration attempt is a new epoch");
    }

    @Test
    void shouldReleaseWhatAnEarlierEpochHeldWhenTheNodeRegistersAgain() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("durable", true, false, false));
        ch.ok(declareQueue("transient", false, false, false));
        ch.send(publish("", "durable", "persistent", false, 0, table(), true));
        ch.send(publish("", "durable", "transient", false, 0, table(), false));
        ch.publish("", "durable", "held");
        ch.ok(get("durable", false));
        driver.register("n1");
        var fresh = driver.connect("n1", "guest", "/").channel();
        fresh.refused(404, declareQueuePassive("transient"));
        fresh = driver.connect("n1", "guest", "/").channel();
        Reply declared = fresh.ok(declareQueue("durable", true, false, false));
        assertEquals(2, declared.getQueueDeclared().getMessageCount(), "persistent + the requeued persistent one");
        assertTrue(driver.core.queries().connections().stream().allMatch(c -> c.epoch() == 2));
    }

    @Test
    void shouldIgnoreBatchesFromAStaleEpoch() {
        var ch = driver.connect().channel();
        ch.ok(declareQueue("q"));
        var staleRef = ch.ref;
        driver.register("n1");
        var batch = io.warren.proto.Batch.newBuilder().setNode("n1").setEpoch(1).setSequence(100)
                .addCommands(publish("", "q", "stale", false, 0).setChannel(staleRef)).build();
        List<Effect> effects = driver.apply(batch);
        assertEquals(List.of(new Effect.EpochEnded("n1", 1), new Effect.Discard(MessageKeys.key(driver.log.size(), 0))),
                effects, "nothing applied; the node hears that its epoch is over, and the stored message goes");
    }

    @Test
    void shouldDeclareANodeDownReturningItsUnackedDeliveriesToConsumersElsewhere() {
        var onN1 = driver.connect().channel();
        driver.register("n2");
        var onN2 = driver.connect("n2", "guest", "/").channel();
        onN2.ok(declareQueue("jobs", true, false, false));
        onN2.ok(declareQueue("n2-exclusive", false, true, false)); // exclusive to n2's connection: stays
        onN1.ok(declareQueue("scratch", false, false, false));
        onN1.ok(declareQueue("mine", false, true, false));
        onN1.ok(qos(1, false));
        onN1.ok(consume("jobs", "c1", false));
        onN2.send(publish("", "jobs", "transient job", false, 0, table(), false));
        onN2.send(publish("", "jobs", "persistent job", false, 0, table(), true));
        assertEquals(List.of("transient job"), onN1.deliveredBodies());
        onN2.ok(consume("jobs", "c2", false));
        assertEquals(List.of("persistent job"), onN2.deliveredBodies());

        List<Effect> effects = driver.submit("n2", declareNodeDown("n1", 1).build());
        assertTrue(effects.contains(new Effect.EpochEnded("n1", 1)), effects.toString());
        List<Effect.Deliver> redelivered = onN2.deliveries();
        assertEquals(2, redelivered.size(), "c2 has no prefetch limit: the returned job goes to it");
        assertEquals("transient job", driver.body(redelivered.get(1).messageKey()));
        assertTrue(redelivered.get(1).redelivered(), "marked redelivered");
        onN2.refused(404, declareQueuePassive("mine"));
        var checker = driver.connect("n2", "guest", "/").channel();
        checker.refused(404, declareQueuePassive("scratch"));
        assertEquals(1, driver.core.queries().queues("/").stream().filter(q -> q.name().equals("n2-exclusive")).count());
        assertTrue(driver.core.queries().connections().stream().noneMatch(c -> c.node().equals("n1")));

        var late = io.warren.proto.Batch.newBuilder().setNode("n1").setEpoch(1).setSequence(1000)
                .addCommands(ack(1, false).setChannel(onN1.ref)).build();
        assertEquals(List.of(new Effect.EpochEnded("n1", 1)), driver.apply(late), "the down epoch's batches are refused");
        int before = driver.effects.size();
        driver.submit("n2", declareNodeDown("n1", 1).build());
        assertTrue(driver.effects.subList(before, driver.effects.size()).stream()
                .noneMatch(e -> e instanceof Effect.EpochEnded), "a repeated declaration changes nothing");
        assertEquals(2, driver.register("n1"), "the node comes back with a new epoch");
        assertTrue(driver.connect("n1", "guest", "/").channel().ok(declareQueuePassive("jobs")).hasQueueDeclared());
    }

    @Test
    void shouldEnforcePermissionsWith403() {
        driver.register("n1");
        driver.submit("n1", io.warren.proto.Command.newBuilder().setPutUser(io.warren.proto.PutUser.newBuilder()
                .setName("reader")).build());
        driver.submit("n1", io.warren.proto.Command.newBuilder().setSetPermissions(io.warren.proto.SetPermissions
                .newBuilder().setUser("reader").setVhost("/").setConfigure("^$").setWrite("^$").setRead(".*")).build());
        var ch = driver.connect("n1", "reader", "/").channel();
        ch.refused(403, declareQueue("q"));
        var admin = driver.connect().channel();
        admin.ok(declareQueue("q"));
        List<Effect> effects = driver.connect("n1", "reader", "/").channel().publish("", "q", "m");
        assertTrue(effects.get(0) instanceof Effect.CloseChannel c && c.refusal().getCode() == 403
                && c.refusal().getText().equals("access to exchange 'amq.default' in vhost '/' refused for user 'reader'"));
        driver.connect("n1", "reader", "/").channel().ok(get("q", true));
    }
}
