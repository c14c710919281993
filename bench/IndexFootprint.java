import com.google.protobuf.ByteString;
import io.warren.proto.Batch;
import io.warren.proto.ChannelRef;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import io.warren.proto.DeclareQueue;
import io.warren.proto.OpenConnection;
import io.warren.proto.Publish;
import io.warren.proto.RegisterNode;
import io.warren.raft.core.BrokerCore;
import io.warren.raft.core.MessageKeys;
import io.warren.raft.store.MessageStore;
import io.warren.raft.store.StoreRecords;
import io.warren.raft.store.StoredMessage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one waiting message costs on a node's heap (issue 11, point 1: at most 64 bytes on average), measured
 * on the real classes: a core that holds N messages in one queue, and a store that indexes N stored
 * messages (with no body cache, since the cache is a fixed budget, not a per-message cost). Prints one
 * line per part and the sum. Run by bench/footprint.sh: java -cp node/target/lib/* bench/IndexFootprint.java N
 */
public final class IndexFootprint {
    private static final int PER_ENTRY = 1000;

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = usedAfterGc();
        BrokerCore core = coreHolding(messages);
        long core_ = usedAfterGc() - before;
        Path dir = Files.createTempDirectory("warren-footprint");
        long beforeStore = usedAfterGc();
        MessageStore store = storeHolding(dir, messages);
        long store_ = usedAfterGc() - beforeStore;
        System.out.printf("messages\t%d%n", messages);
        System.out.printf("core_bytes_per_message\t%.1f%n", (double) core_ / messages);
        System.out.printf("store_bytes_per_message\t%.1f%n", (double) store_ / messages);
        System.out.printf("total_bytes_per_message\t%.1f%n", (double) (core_ + store_) / messages);
        System.out.printf("check\t%d ready in the core, %d live in the store%n",
                core.queries().queues("/").get(0).messagesReady(), store.stats().liveMessages());
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static BrokerCore coreHolding(int messages) {
        BrokerCore core = BrokerCore.initial();
        long index = 1;
        core.apply(index++, 1, Batch.newBuilder().setNode("n1").addCommands(Command.newBuilder().setRequest(1)
                .setRegisterNode(RegisterNode.newBuilder().setNode("n1"))).build());
        ConnectionRef connection = ConnectionRef.newBuilder().setNode("n1").setEpoch(1).setId(1).build();
        ChannelRef channel = ChannelRef.newBuilder().setConnection(connection).setId(2).setNumber(1).build();
        long sequence = 1;
        core.apply(index++, 1, Batch.newBuilder().setNode("n1").setEpoch(1).setSequence(sequence++)
                .addCommands(Command.newBuilder().setOpenConnection(OpenConnection.newBuilder().setConnection(connection)
                        .setUser("guest").setVhost("/")))
                .addCommands(Command.newBuilder().setChannel(channel).setDeclareQueue(DeclareQueue.newBuilder()
                        .setName("q").setDurable(true))).build());
        Command publish = Command.newBuilder().setChannel(channel).setPublish(Publish.newBuilder().setRoutingKey("q")
                .setPersistent(true).setSize(1024).setBodySize(1000)).build();
        for (int sent = 0; sent < messages; sent += PER_ENTRY) {
            Batch.Builder batch = Batch.newBuilder().setNode("n1").setEpoch(1).setSequence(sequence++);
            for (int i = 0; i < Math.min(PER_ENTRY, messages - sent); i++) {
                batch.addCommands(publish);
            }
            core.apply(index++, 1, batch.build());
        }
        return core;
    }

    private static MessageStore storeHolding(Path dir, int messages) throws Exception {
        MessageStore store = MessageStore.open(dir, new MessageStore.Settings(64 << 20, 0));
        ByteString body = new StoredMessage("", "q", ByteString.EMPTY, ByteString.copyFrom(new byte[16])).encode();
        long index = 3;
        for (int sent = 0; sent < messages; sent += PER_ENTRY, index++) {
            ByteString.Output data = ByteString.newOutput();
            for (int position = 0; position < Math.min(PER_ENTRY, messages - sent); position++) {
                StoreRecords.append(data, position, body);
            }
            store.write(index, data.toByteString()).get();
        }
        return store;
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }
}
