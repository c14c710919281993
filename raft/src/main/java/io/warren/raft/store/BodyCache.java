package io.warren.raft.store;

import com.google.protobuf.ByteString;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hot tail of the store: the newest messages written, up to a byte budget, so a consumer that keeps
 * up is served from memory. Oldest out first; a settled message leaves at once. Not thread-safe: the
 * store guards it.
 */
final class BodyCache {
    private final long bytesMax;
    private final LinkedHashMap<Long, ByteString> entries = new LinkedHashMap<>();
    private long bytes;
    private long hits;
    private long misses;

    BodyCache(long bytesMax) {
        this.bytesMax = bytesMax;
    }

    void put(long key, ByteString content) {
        if (content.size() > bytesMax) {
            return;
        }
        ByteString earlier = entries.put(key, content);
        if (earlier != null) {
            bytes -= earlier.size();
        }
        bytes += content.size();
        Iterator<Map.Entry<Long, ByteString>> oldest = entries.entrySet().iterator();
        while (bytes > bytesMax && oldest.hasNext()) {
            bytes -= oldest.next().getValue().size();
            oldest.remove();
        }
    }

    ByteString get(long key) {
        ByteString content = entries.get(key);
        if (content == null) {
            misses++;
        } else {
            hits++;
        }
        return content;
    }

    void remove(long key) {
        ByteString content = entries.remove(key);
        if (content != null) {
            bytes -= content.size();
        }
    }

    void clear() {
        entries.clear();
        bytes = 0;
    }

    long bytes() {
        return bytes;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }
}
