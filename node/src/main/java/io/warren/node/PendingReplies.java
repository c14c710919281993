package io.warren.node;

import io.warren.proto.Command;
import io.warren.proto.Reply;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node waits to hear from the log: the core's reply to each request it sent (by request id),
 * and the epoch each registration it sent gets (by incarnation). Registered on event loops and the
 * liveness thread, completed on the apply thread or, when an entry fails, on Ratis client threads.
 */
final class PendingReplies {
    private final AtomicLong nextRequest = new AtomicLong();
    private final Map<Long, CompletableFuture<Reply>> replies = new ConcurrentHashMap<>();
    private final Map<IncarnationKey, CompletableFuture<Long>> registrations = new ConcurrentHashMap<>();

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
        registrations.put(new IncarnationKey(incarnation), registered);
        return registered;
    }

    /** The future waiting on the registration with this incarnation, no longer waiting; or null. */
    CompletableFuture<Long> takeRegistration(byte[] incarnation) {
        return registrations.remove(new IncarnationKey(incarnation));
    }

    /** byte[] with value equality, for map keys. */
    private record IncarnationKey(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof IncarnationKey that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
