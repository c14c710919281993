package io.warren.node;

import io.warren.raft.core.Commands;
import io.warren.raft.ratis.CommandSubmitter;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's resource alarms, as RabbitMQ's {@code vm_memory_high_watermark} and {@code disk_free_limit}:
 * the heap in use after the last collection above {@code memoryHighWatermark} of the maximum heap, or less
 * than {@code diskFreeLimit} bytes free where the data lives. A change goes into the log as SetAlarms, and
 * every node then blocks its publishing connections until no node has an alarm. A memory alarm is raised only
 * when a collection of the whole heap confirms the figure, since blocking every publisher on garbage is the
 * costlier mistake. Both limits can be set while the node runs (warrenctl set_vm_memory_high_watermark, set_disk_free_limit).
 */
final class ResourceMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResourceMonitor.class);
    private static final long CHECK_EVERY_MS = 1000;

    /** What the monitor reads: the seams, so a test can set the readings. */
    interface Readings {
        /** Heap bytes in use after the last collection (or now, where a pool does not tell). */
        long heapUsed();

        long heapMax();

        long diskFree() throws IOException;

        /** Collections so far, of every collector: tells whether {@link #heapUsed} is fresh. */
        long collections();

        /** Asks for a collection, so that {@link #heapUsed} is measured again. */
        void collect();
    }

    /**
     * Checks in a row that found the heap above the watermark with no collection in between before the
     * monitor asks for one. The figure after a collection goes stale once the heap stops filling (blocked
     * publishers allocate nothing), and with G1 it counts the old generation's garbage until a mixed
     * collection: a stale figure would hold the alarm, and every publisher, long after memory is free.
     */
    static final int STALE_CHECKS = 5;
    static final int STALE_CHECKS_MAX = 60;

    /**
     * Checks after a confirming collection found the heap below the watermark during which a figure above it is
     * taken for garbage and not confirmed again; doubles while confirmations keep finding garbage (up to
     * {@link #UNCONFIRMED_CHECKS_MAX}). With G1 the figure after a young collection counts the old generation's
     * garbage until a mixed collection: at a deep backlog (550 MiB live of a 768 MiB heap) it crossed a 0.8
     * watermark every few seconds, and each crossing blocked every publisher for seconds (53 alarms in seven
     * minutes of the 10 M backlog benchmark) though the heap was never full.
     */
    static final int UNCONFIRMED_CHECKS = 5;
    static final int UNCONFIRMED_CHECKS_MAX = 30;

    private final String node;
    private final CommandSubmitter submitter;
    private final LongSupplier epoch;
    private final Readings readings;
    private final Thread thread;
    private volatile double memoryHighWatermark;
    private volatile long diskFreeLimit;
    private volatile boolean running = true;
    private boolean memoryAlarm;
    private boolean diskAlarm;
    private long reportedEpoch = -1;
    private long lastCollections = -1;
    private int staleChecks;
    /** Doubles while collections asked for find the heap truly full (up to a minute), so they stay rare. */
    private int staleLimit = STALE_CHECKS;
    /** Checks left during which a figure above the watermark is not confirmed (the last confirmation found garbage). */
    private int unconfirmedLeft;
    private int unconfirmedLimit = UNCONFIRMED_CHECKS;
    private double watermarkAtLastConfirmation = -1;

    ResourceMonitor(String node, CommandSubmitter submitter, LongSupplier epoch, Readings readings,
            double memoryHighWatermark, long diskFreeLimit) {
        this.node = node;
        this.submitter = submitter;
        this.epoch = epoch;
        this.readings = readings;
        this.memoryHighWatermark = memoryHighWatermark;
        this.diskFreeLimit = diskFreeLimit;
        this.thread = new Thread(this::run, "warren-resources");
        this.thread.setDaemon(true);
    }

    /** The JVM's heap and the free space of the file system holding {@code dataDir}. */
    static Readings jvm(Path dataDir) {
        return new Readings() {
            @Override
            public long heapUsed() {
                long used = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP) {
                        var afterGc = pool.isCollectionUsageThresholdSupported() ? pool.getCollectionUsage() : null;
                        used += afterGc != null ? afterGc.getUsed() : pool.getUsage().getUsed();
                    }
                }
                return used;
            }

            @Override
            public long heapMax() {
                return Runtime.getRuntime().maxMemory();
            }

            @Override
            public long diskFree() throws IOException {
                return Files.getFileStore(dataDir).getUsableSpace();
            }

            @Override
            public long collections() {
                long count = 0;
                for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                    count += Math.max(0, collector.getCollectionCount());
                }
                return count;
            }

            @Override
            public void collect() {
                System.gc(); // before raising (rarer while it finds garbage) and while publishers are blocked anyway
            }
        };
    }

    void start() {
        thread.start();
    }

    /** The node's figures as the management API shows them (RabbitMQ's mem_used, mem_limit, disk_free...). */
    record Figures(long memoryUsed, long memoryLimit, long diskFree, long diskFreeLimit) {}

    Figures figures() {
        long diskFree;
        try {
            diskFree = readings.diskFree();
        } catch (IOException e) {
            diskFree = -1;
        }
        return new Figures(readings.heapUsed(), (long) (memoryHighWatermark * readings.heapMax()), diskFree,
                diskFreeLimit);
    }

    void setMemoryHighWatermark(double fraction) {
        memoryHighWatermark = fraction;
        log.info("event=memory_high_watermark_set fraction={}", fraction);
        thread.interrupt();
    }

    void setDiskFreeLimit(long bytes) {
        diskFreeLimit = bytes;
        log.info("event=disk_free_limit_set bytes={}", bytes);
        thread.interrupt();
    }

    private void run() {
        while (running) {
            check();
            try {
                Thread.sleep(CHECK_EVERY_MS);
            } catch (InterruptedException e) {
                // a limit changed: check again now
            }
        }
    }

    /** One look; sends the alarms when they changed, or when this node's epoch is new (it starts clear). */
    void check() {
        long heapMax = readings.heapMax();
        boolean memory = heapMax > 0 && readings.heapUsed() > memoryHighWatermark * heapMax;
        if (memory && !memoryAlarm) {
            memory = confirmAbove(heapMax);
        } else {
            if (unconfirmedLeft > 0) {
                unconfirmedLeft--;
            }
            memory = memory && stillAbove(heapMax);
        }
        boolean disk;
        try {
            disk = readings.diskFree() < diskFreeLimit;
        } catch (IOException e) {
            log.warn("event=disk_free_unknown error=\"{}\"", e.toString());
            disk = diskAlarm;
        }
        long current = epoch.getAsLong();
        if (memory != memoryAlarm || disk != diskAlarm) {
            log.warn("event=alarm_changed memory={} disk={} heap_used={} heap_max={} watermark={} disk_free_limit={}",
                    memory, disk, readings.heapUsed(), heapMax, memoryHighWatermark, diskFreeLimit);
        }
        if (current != 0 && (memory != memoryAlarm || disk != diskAlarm || current != reportedEpoch)) {
            submitter.submit(Commands.setAlarms(node, memory, disk).build());
            reportedEpoch = current;
        }
        memoryAlarm = memory;
        diskAlarm = disk;
    }

    /**
     * Whether a figure above the watermark, with no alarm raised, is the heap's: a collection of the whole heap
     * decides, unless one lately found only garbage above it (then not until {@link #unconfirmedLeft} runs out).
     */
    private boolean confirmAbove(long heapMax) {
        if (memoryHighWatermark != watermarkAtLastConfirmation) {
            unconfirmedLeft = 0; // an operator moved the watermark: what was garbage above the old one says nothing
            unconfirmedLimit = UNCONFIRMED_CHECKS;
        }
        if (unconfirmedLeft > 0) {
            unconfirmedLeft--;
            return false;
        }
        watermarkAtLastConfirmation = memoryHighWatermark;
        boolean above = measureAgain(heapMax, "confirm_before_raising");
        if (above) {
            unconfirmedLimit = UNCONFIRMED_CHECKS;
        } else {
            unconfirmedLeft = unconfirmedLimit;
            unconfirmedLimit = Math.min(UNCONFIRMED_CHECKS_MAX, 2 * unconfirmedLimit);
        }
        return above;
    }

    /** With the alarm raised: the figure, unless it went stale (no collection for a while), then measured again. */
    private boolean stillAbove(long heapMax) {
        long collections = readings.collections();
        staleChecks = collections == lastCollections ? staleChecks + 1 : 0;
        lastCollections = collections;
        if (staleChecks < staleLimit) {
            return true;
        }
        boolean above = measureAgain(heapMax, "\"above the watermark with no collection for " + staleLimit + " checks\"");
        staleLimit = above ? Math.min(STALE_CHECKS_MAX, 2 * staleLimit) : STALE_CHECKS;
        return above;
    }

    private boolean measureAgain(long heapMax, String reason) {
        long before = readings.heapUsed();
        long startedNs = System.nanoTime();
        readings.collect();
        long tookMs = (System.nanoTime() - startedNs) / 1_000_000;
        staleChecks = 0;
        lastCollections = readings.collections();
        long after = readings.heapUsed();
        boolean above = after > memoryHighWatermark * heapMax;
        log.info("event=heap_measured_again still_above={} heap_before={} heap_after={} collect_ms={} reason={}",
                above, before, after, tookMs, reason);
        return above;
    }

    /** Whether the last check found the heap above the watermark. */
    boolean memoryAlarm() {
        return memoryAlarm;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
