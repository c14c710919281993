package io.warren.raft.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.warren.proto.Ack;
import io.warren.proto.Batch;
import io.warren.proto.ChannelRef;
import io.warren.proto.Command;
import io.warren.proto.ConnectionRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The submitter without its thread, as a simulator drives it: the test pumps it and sets its clock, so
 * resend delays and the resend window are exact, with no wait at all.
 */
class CommandSubmitterPumpTest {
    private long nowMs = 5_000;
    private final List<CompletableFuture<Void>> outcomes = new ArrayList<>();
    private final List<Batch> appended = new ArrayList<>();
    private final List<List<Command>> failed = new ArrayList<>();
    private CommandSubmitter submitter = submitter(new CommandSubmitter.Limits(2, 1 << 16, 1 << 20, 1_000));

    private CommandSubmitter submitter(CommandSubmitter.Limits limits) {
        return new CommandSubmitter(entry -> {
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        try {
            appended.add(Batch.parseFrom(EntryFrame.split(java.nio.ByteBuffer.wrap(entry)).batch()));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        outcomes.add(outcome);
        return outcome;
    }, "n1", limits, new CommandSubmitter.Listener() {
        @Override
        public void failed(List<Command> commands, Throwable cause) {
            failed.add(commands);
        }

        @Override
        public void backpressure(boolean blocked) {}
    }, new HotPathCounters(), () -> TimeUnit.MILLISECONDS.toNanos(nowMs));
    }

    @Test
    void shouldHoldAnEntryThatIsNotFullWhileTheLimitOfThemIsOut() {
        submitter = submitter(new CommandSubmitter.Limits(4, 1, 1 << 16, 1 << 20, 1_000));
        submitter.submit(ack(1));
        submitter.pump();
        submitter.submit(ack(2));
        submitter.submit(ack(3));
        assertEquals(-1, submitter.pump());
        assertEquals(1, appended.size(), "a second entry that is not full waits, though three slots are free");
        outcomes.get(0).complete(null);
        submitter.pump();
        assertEquals(2, appended.size());
        assertEquals(2, appended.get(1).getCommandsCount(), "what waited went in one entry");
    }

    @Test
    void shouldSendFullEntriesAtOnceUpToTheLimitOfEntriesInFlight() {
        submitter = submitter(new CommandSubmitter.Limits(3, 1, 1024, 1 << 20, 1_000));
        submitter.submit(ack(1));
        submitter.pump();
        int size = ack(1000).getSerializedSize(); // every tag from 1000 on takes as many bytes
        int perEntry = 1024 / size;
        assertTrue(perEntry * size < 1024, "the commands of one full entry are less than its bytes");
        for (int tag = 1000; tag < 1000 + 3 * perEntry; tag++) {
            submitter.submit(ack(tag));
        }
        submitter.pump();
        assertEquals(3, appended.size(), "two full entries beside the one out, then the limit of three");
        assertEquals(perEntry, appended.get(1).getCommandsCount());
        assertEquals(perEntry, appended.get(2).getCommandsCount());
        outcomes.get(0).complete(null);
        submitter.pump();
        assertEquals(3, appended.size(), "less than a full entry is left, and two entries are out");
        outcomes.get(1).complete(null);
        outcomes.get(2).complete(null);
        submitter.pump();
        assertEquals(4, appended.size());
        assertEquals(perEntry, appended.get(3).getCommandsCount(), "the rest, once nothing is out");
        assertEquals(0, submitter.queuedCommands());
    }

    @Test
    void shouldSendNothingUntilPumpedAndThenGatherWhatWaits() {
        submitter.submit(ack(1));
        submitter.submit(ack(2));
        assertTrue(appended.isEmpty());
        assertEquals(2, submitter.queuedCommands());
        assertEquals(-1, submitter.pump(), "nothing waits to be resent");
        assertEquals(1, appended.size());
        assertEquals(2, appended.get(0).getCommandsCount());
        assertEquals(0, submitter.queuedCommands());
    }

    @Test
    void shouldHoldCommandsBackWhileTheEntriesInFlightAreAtTheLimit() {
        submitter.submit(ack(1));
        submitter.pump();
        submitter.submit(ack(2));
        submitter.pump();
        submitter.submit(ack(3));
        submitter.pump();
        assertEquals(2, appended.size(), "two in flight at most");
        outcomes.get(0).complete(null);
        submitter.pump();
        assertEquals(3, appended.size());
        assertEquals(3, appended.get(2).getCommands(0).getAck().getDeliveryTag());
    }

    @Test
    void shouldResendAFailedEntryAfterItsDelayAndBeforeAnythingNewer() {
        submitter.submit(ack(1));
        submitter.pump();
        outcomes.get(0).completeExceptionally(new IOException("leader stepping down"));
        submitter.submit(ack(2));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(200), submitter.pump(), "due 200 ms after the failure");
        assertEquals(1, appended.size(), "nothing newer goes ahead of the resend");
        nowMs += 199;
        submitter.pump();
        assertEquals(1, appended.size());
        nowMs += 1;
        submitter.pump();
        assertEquals(3, appended.size(), "the resend, then the newer command beside it in flight");
        assertEquals(appended.get(0), appended.get(1), "the same entry, same sequence");
        assertEquals(appended.get(0).getSequence() + 1, appended.get(2).getSequence());
        assertTrue(failed.isEmpty());
    }

    @Test
    void shouldReportAnEntryFailedOnceItsResendWindowIsOver() {
        submitter.submit(ack(1));
        submitter.pump();
        nowMs += 999;
        outcomes.get(0).completeExceptionally(new IOException("no majority"));
        assertTrue(failed.isEmpty(), "still inside the window: sent again");
        nowMs += 200;
        submitter.pump();
        outcomes.get(1).completeExceptionally(new IOException("no majority"));
        assertEquals(1, failed.size(), "1,199 ms after the first send, past the 1,000 ms window");
        assertEquals(1, failed.get(0).get(0).getAck().getDeliveryTag());
        assertEquals(0, submitter.entriesInFlight());
        assertEquals(0, submitter.queuedBytes(), "its bytes left the backlog");
    }

    private static Command ack(long tag) {
        ChannelRef channel = ChannelRef.newBuilder().setConnection(ConnectionRef.newBuilder().setNode("n1").setEpoch(3)
                .setId(100)).setId(1).setNumber(1).build();
        return Command.newBuilder().setChannel(channel).setAck(Ack.newBuilder().setDeliveryTag(tag)).build();
    }
}
