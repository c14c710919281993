package io.warren.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that runs one task at a fixed period until closed. A task that throws is logged and
 * run again at the next tick: periodic chores (sampling, housekeeping) must never stop the node.
 */
final class Ticker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ticker.class);

    private final Thread thread;
    private volatile boolean running = true;

    Ticker(String name, long periodMs, Runnable task) {
        this.thread = new Thread(() -> run(name, periodMs, task), name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run(String name, long periodMs, Runnable task) {
        while (running) {
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("event=periodic_task_failed task={} error=\"{}\"", name, e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
