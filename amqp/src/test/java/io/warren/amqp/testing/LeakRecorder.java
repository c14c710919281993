package io.warren.amqp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Records every buffer leak Netty's detector reports, so tests can assert that there were none. The
 * detector is installed at PARANOID level (every buffer tracked) by {@link SessionListener} before any
 * test touches a buffer. Leaks are found when the garbage collector frees an unreleased buffer, so
 * {@link #assertNoLeaks()} collects and then allocates to make the detector report.
 */
public final class LeakRecorder {
    private static final List<String> LEAKS = new ArrayList<>();

    private LeakRecorder() {
    }

    /** Installs the recording detector; runs once per test JVM, before any test. */
    public static final class SessionListener implements LauncherSessionListener {
        @Override
        public void launcherSessionOpened(LauncherSession session) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
            ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new Factory());
        }
    }

    private static final class Factory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK: " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }

    private static synchronized void record(String leak) {
        LEAKS.add(leak);
    }

    /** Leaks reported so far in this JVM. */
    public static synchronized List<String> leaks() {
        return List.copyOf(LEAKS);
    }

    /** Forces the detector to report what the collector found, then fails if anything leaked. */
    public static void assertNoLeaks() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            // The detector reports collected leaks when it tracks a new buffer.
            for (int i = 0; i < 100; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(16);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.buffer(16);
                unpooled.release();
            }
        }
        List<String> found = leaks();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " buffer leak(s) reported; first: " + found.get(0));
        }
    }
}
