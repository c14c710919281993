package io.warren.raft.ratis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.FileUtils;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots as directories in the state-machine directory: {@code snapshot-<term>-<index>/index} (the
 * replicated index and metadata, with its MD5) and {@code snapshot-<term>-<index>/store/} (hard links to
 * the sealed message-store segments that still held a live message). Ratis sends a follower every file
 * of the newest one, in chunks, and installs them in the follower's state-machine directory under the
 * same relative paths; the links keep a snapshot's segments whole while the live store reclaims its own.
 *
 * <p>Retention: the newest published snapshot always stays. An older one stays at most
 * {@value #SUPERSEDED_GRACE_MS} ms after a newer one was published (a follower may still be receiving it;
 * should its install outlast that, Ratis starts again with the newest), and never more of them than
 * Ratis' retention count allows. Its hard links would otherwise pin segments the live store reclaimed:
 * after a drain, the disk of the whole backlog.
 */
final class SnapshotDirectories implements StateMachineStorage {
    private static final Logger log = LoggerFactory.getLogger(SnapshotDirectories.class);
    static final String INDEX = "index";
    static final String STORE = "store";
    private static final String PREFIX = "snapshot-";
    static final long SUPERSEDED_GRACE_MS = 60_000;

    private final java.util.function.LongSupplier nanoClock;
    private volatile File stateMachineDir;
    private volatile SnapshotInfo latest;
    private volatile boolean snapshotAdded = true;
    /** When each snapshot stopped being the newest published, by directory name; under this. */
    private final java.util.Map<String, Long> supersededAtNanos = new java.util.HashMap<>();
    private int retained = 2;

    SnapshotDirectories(java.util.function.LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public void init(RaftStorage raftStorage) {
        this.stateMachineDir = raftStorage.getStorageDir().getStateMachineDir();
        this.latest = null;
        removeUnfinished();
    }

    Path stateMachineDir() {
        return stateMachineDir.toPath();
    }

    /** The directory a snapshot at (term, index) goes into. */
    Path directory(TermIndex at) {
        return stateMachineDir().resolve(PREFIX + at.getTerm() + "-" + at.getIndex());
    }

    /** The newest complete snapshot (its index's MD5 file is written last), or empty. */
    Optional<Path> newest() {
        return complete().max(Comparator.comparingLong(p -> termIndex(p).getIndex()));
    }

    private Stream<Path> complete() {
        File[] children = stateMachineDir.listFiles();
        if (children == null) {
            return Stream.empty();
        }
        return Stream.of(children).map(File::toPath).filter(p -> termIndex(p) != null)
                .filter(p -> Files.exists(MD5FileUtil.getDigestFileForFile(p.resolve(INDEX).toFile()).toPath()));
    }

    static TermIndex termIndex(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = name.substring(PREFIX.length()).split("-");
        if (parts.length != 2) {
            return null;
        }
        try {
            return TermIndex.valueOf(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        SnapshotInfo known = latest;
        if (known != null) {
            return known;
        }
        Optional<Path> newest = newest();
        if (newest.isEmpty()) {
            return null;
        }
        latest = describe(newest.get());
        return latest;
    }

    /** Makes {@code dir} the latest snapshot Ratis sends. */
    synchronized void published(Path dir) {
        SnapshotInfo previous = latest;
        latest = describe(dir);
        if (previous != null && previous.getIndex() != latest.getIndex()) {
            supersededAtNanos.put(directory(previous.getTermIndex()).getFileName().toString(), nanoClock.getAsLong());
        }
        snapshotAdded = true;
    }

    private static SnapshotInfo describe(Path dir) {
        try {
            List<FileInfo> files = new ArrayList<>();
            Path index = dir.resolve(INDEX);
            MD5Hash digest = MD5FileUtil.readStoredMd5ForFile(index.toFile());
            files.add(new FileInfo(index, digest));
            Path store = dir.resolve(STORE);
            if (Files.isDirectory(store)) {
                try (Stream<Path> segments = Files.list(store)) {
                    // No digest: Ratis computes the MD5 while it sends, and the follower checks it.
                    segments.sorted().forEach(segment -> files.add(new FileInfo(segment, null)));
                }
            }
            return new FileListSnapshotInfo(files, termIndex(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void format() {}

    @Override
    public synchronized void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
        // Ratis calls this after every takeSnapshot, which returns at once while a snapshot is written.
        retained = Math.max(1, policy.getNumSnapshotsRetained());
        if (!snapshotAdded) {
            return;
        }
        snapshotAdded = false;
        expireSuperseded();
    }

    /**
     * Deletes the snapshots older than the newest published one that are past the retention count or were
     * superseded more than the grace period ago. A snapshot complete on disk but not yet published (Ratis
     * has not heard of it) is neither counted nor deleted here.
     */
    synchronized void expireSuperseded() {
        SnapshotInfo newest = latest;
        if (newest == null) {
            return;
        }
        long now = nanoClock.getAsLong();
        List<Path> older = complete().filter(p -> termIndex(p).getIndex() < newest.getIndex())
                .sorted(Comparator.comparingLong((Path p) -> termIndex(p).getIndex()).reversed()).toList();
        for (int i = 0; i < older.size(); i++) {
            Path old = older.get(i);
            String name = old.getFileName().toString();
            // One found on disk at start was superseded at some unknown time: the grace counts from now.
            long superseded = supersededAtNanos.computeIfAbsent(name, n -> now);
            boolean pastCount = i + 1 >= retained;
            if (!pastCount && now - superseded < SUPERSEDED_GRACE_MS * 1_000_000) {
                continue;
            }
            try {
                FileUtils.deleteFully(old);
                supersededAtNanos.remove(name);
                log.info("event=snapshot_deleted dir={} reason={}", old, pastCount ? "retention_count" : "superseded");
            } catch (IOException e) {
                log.warn("event=snapshot_delete_failed dir={} error=\"{}\"", old, e.toString());
            }
        }
    }

    /** Removes what a crash left half written: called at start, never while a snapshot is being written. */
    void removeUnfinished() {
        File[] children = stateMachineDir.listFiles();
        if (children != null) {
            for (File child : children) {
                if (child.getName().startsWith(PREFIX) && child.getName().endsWith(".tmp")) {
                    try {
                        FileUtils.deleteFully(child);
                    } catch (IOException e) {
                        log.warn("event=snapshot_delete_failed dir={} error=\"{}\"", child, e.toString());
                    }
                }
            }
        }
    }
}
