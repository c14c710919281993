package io.warren.raft.core;

import io.warren.proto.Batch;
import io.warren.proto.ChannelRef;
import io.warren.proto.ConnectionRef;
import io.warren.proto.Publish;
import io.warren.proto.SnapshotRecord;
import io.warren.proto.Table;
import java.util.EnumSet;
import java.util.Set;

/**
 * Runs a snapshot of a small but complete state (a node, a connection, a channel, a queue bound to an
 * exchange, a consumer with a delivery out, a message waiting, a
 * dead letter pending, a policy) once, before the node takes entries.
 *
 * <p>Why: a node's first real freeze measured 50-76 ms of wall time on the apply path under load while it
 * used 8-12 ms of CPU, nearly all of it loading and initialising the record classes it had not touched
 * yet; on two cores shared by three nodes, a thread that needs a core for that long waits for one several
 * times over. Later freezes use well under 1 ms of CPU. A freeze of an empty state loads only part of the
 * classes; this one reaches every kind of record the freeze and the writer build.
 */
public final class SnapshotWarmUp {
    private SnapshotWarmUp() {}

    /** Freezes and writes (to nowhere) a state holding one of everything; returns the kinds of record written. */
    public static Set<SnapshotRecord.KindCase> run() {
        BrokerCore core = BrokerCore.initial();
        String node = "warm-up";
        core.apply(1, 1, Batch.newBuilder().setNode(node).addCommands(Commands.registerNode(node,
                com.google.protobuf.ByteString.EMPTY, 0).setRequest(1)).build());
        long epoch = core.queries().nodes().get(0).epoch();
        ConnectionRef connection = ConnectionRef.newBuilder().setNode(node).setEpoch(epoch).setId(1).build();
        ChannelRef channel = ChannelRef.newBuilder().setConnection(connection).setId(2).setNumber(1).build();
        Publish publish = Publish.newBuilder().setExchange("amq.direct").setRoutingKey("q").setPersistent(true)
                .setSize(1).setBodySize(1).build();
        core.apply(2, 1, Batch.newBuilder().setNode(node).setEpoch(epoch).setSequence(1)
                .addCommands(Commands.openConnection(connection, "guest", "/", ""))
                .addCommands(Commands.declareQueue("q", true, false, false).setChannel(channel))
                .addCommands(Commands.bind("q", "amq.direct", "q").setChannel(channel))
                .addCommands(Commands.publish(publish.toBuilder()).setChannel(channel))
                .addCommands(Commands.consume("q", "c", false, false, Table.getDefaultInstance(), 1)
                        .setChannel(channel))
                .addCommands(Commands.publish(publish.toBuilder()).setChannel(channel))
                // a queue that holds nothing: what it is sent dies at once and waits as a dead letter
                .addCommands(Commands.declareQueue("d", false, false, false, false, Table.newBuilder()
                        .addEntries(entry("x-dead-letter-exchange", text("dlx")))
                        .addEntries(entry("x-max-length", io.warren.proto.Value.newBuilder().setInt32(0).build()))
                        .build()).setChannel(channel))
                .addCommands(Commands.publish(publish.toBuilder().setExchange("").setRoutingKey("d"))
                        .setChannel(channel))
                .build());
        core.apply(3, 1, Batch.newBuilder().setNode(node).setEpoch(epoch).setSequence(2)
                .addCommands(Commands.setPolicy("/", "p", "^p$", "", 0, Table.newBuilder()
                        .addEntries(entry("max-length", io.warren.proto.Value.newBuilder().setInt64(1).build()))
                        .build(), false))
                .addCommands(Commands.setTopicPermissions("guest", "/", "amq.topic", ".*", ".*"))
                // a delayed exchange holding a message, and a transaction with a staged publish
                .addCommands(Commands.declareExchange("dx", "x-delayed-message", false, false, false, false,
                        Table.newBuilder().addEntries(entry("x-delayed-type", text("direct"))).build())
                        .setChannel(channel))
                .addCommands(Commands.publish(publish.toBuilder().setExchange("dx").setHeaders(Table.newBuilder()
                        .addEntries(entry("x-delay", io.warren.proto.Value.newBuilder().setInt32(60_000).build()))))
                        .setChannel(channel))
                .addCommands(Commands.publish(publish.toBuilder().setTxOp(1)).setChannel(channel))
                .build());
        Set<SnapshotRecord.KindCase> kinds = EnumSet.noneOf(SnapshotRecord.KindCase.class);
        SnapshotRecords.freeze(core).write(record -> kinds.add(record.getKindCase()));
        return kinds;
    }

    private static io.warren.proto.TableEntry entry(String key, io.warren.proto.Value value) {
        return io.warren.proto.TableEntry.newBuilder().setKey(key).setValue(value).build();
    }

    private static io.warren.proto.Value text(String text) {
        return io.warren.proto.Value.newBuilder().setLongString(com.google.protobuf.ByteString.copyFromUtf8(text))
                .build();
    }
}
