package dev.budgateway.analytics.clickhouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Rows that could not be inserted, on disk until ClickHouse takes them: one file per batch, numbered in the order
 * written, each written whole (to a temporary name, then renamed) so that a crash leaves whole batches only. Replayed
 * oldest first, at start too, so rows written before a restart arrive after it. Bounded by {@code maxBytes}; only the
 * writer's thread uses it.
 */
final class Spool {

    private static final String SUFFIX = ".ndjson";

    private final Path dir;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final FileChannel lockFile;
    private final FileLock lock;
    private long next;

    /** Takes the directory for this writer alone: a second gateway given the same one is refused it. */
    Spool(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        this.lockFile = FileChannel.open(dir.resolve("spool.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            lockFile.close();
            throw new IOException("another gateway uses the spool at " + dir);
        }
        this.lock = held;
        for (Path p : segments()) {
            bytes.addAndGet(Files.size(p));
            next = Math.max(next, number(p) + 1);
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".tmp")).forEach(p -> p.toFile().delete());
        }
    }

    /** Gives the directory up, for the next gateway. */
    void close() {
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            // the process is stopping; the lock goes with it
        }
    }

    long bytes() {
        return bytes.get();
    }

    /** Counted, not listed: only this writer writes here (the lock), and every batch has bytes. */
    boolean isEmpty() {
        return bytes.get() == 0;
    }

    /** Writes a batch; {@code false} when it does not fit ({@code spool_max_bytes}) and was not written. */
    boolean append(List<String> rows) throws IOException {
        StringBuilder b = new StringBuilder(rows.size() * 900);
        for (String r : rows) {
            b.append(r).append('\n');
        }
        byte[] data = b.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.get() + data.length > maxBytes) {
            return false;
        }
        Path tmp = dir.resolve(String.format("%016d", next) + ".tmp");
        Path done = dir.resolve(String.format("%016d", next) + SUFFIX);
        next++;
        Files.write(tmp, data);
        Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        bytes.addAndGet(data.length);
        return true;
    }

    /** The oldest batch, or {@code null}. */
    Path oldest() {
        List<Path> all = segments();
        return all.isEmpty() ? null : all.get(0);
    }

    static List<String> read(Path segment) throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(segment, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                rows.add(line);
            }
        }
        return rows;
    }

    void remove(Path segment) throws IOException {
        long size = Files.size(segment);
        Files.delete(segment);
        bytes.addAndGet(-size);
    }

    private List<Path> segments() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long number(Path p) {
        String name = p.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
