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
 */
final class SnapshotDirectories implements StateMachineStorage {
    private static final Logger log = LoggerFactory.getLogger(SnapshotDirectories.class);
    static final String INDEX = "index";
    static final String STORE = "store";
    private static final String PREFIX = "snapshot-";

    private volatile File stateMachineDir;
    private volatile SnapshotInfo latest;
    private volatile boolean snapshotAdded = true;

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
    void published(Path dir) {
        latest = describe(dir);
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
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
        // Ratis calls this after every takeSnapshot, which returns at once while a snapshot is written.
        if (!snapshotAdded) {
            return;
        }
        snapshotAdded = false;
        int keep = Math.max(1, policy.getNumSnapshotsRetained());
        List<Path> snapshots = complete().sorted(Comparator.comparingLong((Path p) -> termIndex(p).getIndex())
                .reversed()).toList();
        for (Path old : snapshots.subList(Math.min(keep, snapshots.size()), snapshots.size())) {
            try {
                FileUtils.deleteFully(old);
                log.info("event=snapshot_deleted dir={}", old);
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
