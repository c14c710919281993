package io.warren.node;

import com.google.protobuf.ByteString;
import io.warren.proto.Command;
import io.warren.proto.Reply;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node waits to hear from the log: the core's reply to each request it sent (by request id),
 * and the epoch each registration it sent gets (by incarnation, as the reply carries it: protobuf's
 * ByteString compares by content). Registered on event loops and the
 * liveness thread, completed on the apply thread or, when an entry fails, on Ratis client threads.
 */
final class PendingReplies {
    private final AtomicLong nextRequest = new AtomicLong();
    private final Map<Long, CompletableFuture<Reply>> replies = new ConcurrentHashMap<>();
    private final Map<ByteString, CompletableFuture<Long>> registrations = new ConcurrentHashMap<>();

    /** Gives {@code command} a request id; the returned future completes with the core's reply. */
    CompletableFuture<Reply> expectReply(Command.Builder command) {
        long request = nextRequest.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        replies.put(request, reply);
        command.setRequest(request);
        return reply;
    }

    /** The future waiting on {@code request}, no longer waiting; null when nobody waits (any more). */
    CompletableFuture<Reply> takeReply(long request) {
        return replies.remove(request);
    }

    CompletableFuture<Long> expectRegistration(byte[] incarnation) {
        CompletableFuture<Long> registered = new CompletableFuture<>();
        registrations.put(ByteString.copyFrom(incarnation), registered);
        return registered;
    }

    /** The future waiting on the registration with this incarnation, no longer waiting; or null. */
    CompletableFuture<Long> takeRegistration(ByteString incarnation) {
        return registrations.remove(incarnation);
    }
}
