package io.warren.node;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where a node-layer component runs its work: one thread of its own in production ({@link #thread}); tests
 * and the simulator run the work themselves, so what happens and in which order is theirs to decide.
 */
interface Scheduler extends AutoCloseable {
    /** Runs {@code task} soon, after what was handed over before it. */
    void execute(Runnable task);

    /** Runs {@code task} every {@code periodMs}, the first time after one period. */
    void every(long periodMs, Runnable task);

    @Override
    void close();

    /** One daemon thread of this name. */
    static Scheduler thread(String name) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        return new Scheduler() {
            @Override
            public void execute(Runnable task) {
                executor.execute(task);
            }

            @Override
            public void every(long periodMs, Runnable task) {
                executor.scheduleWithFixedDelay(task, periodMs, periodMs, TimeUnit.MILLISECONDS);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
