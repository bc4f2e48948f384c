package dev.budgateway.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import dev.budgateway.filters.controlplane.LogThrottle;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the request log to standard output in batches: a line is encoded on the request's thread and queued,
 * and one thread writes whatever is queued every {@code flushIntervalMillis} in a single write. Logback's
 * asynchronous appender wakes its worker for every line, which cost each request a thread wake-up and a system
 * call of its own; here nothing on the request path waits or signals. A full queue drops lines rather than
 * block (counted, and reported as a warning at most every ten seconds); stopping the appender, which the
 * gateway does as it shuts down, writes what is left.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private static final Logger logger = LoggerFactory.getLogger(BatchingConsoleAppender.class);

    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private long flushIntervalMillis = 50;

    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Thread writer;
    private byte[] buffer = new byte[64 * 1024];
    private final LogThrottle dropReports = new LogThrottle(Clock.systemUTC(), TimeUnit.SECONDS.toMillis(10));

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setFlushIntervalMillis(long flushIntervalMillis) {
        this.flushIntervalMillis = flushIntervalMillis;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        Thread t = new Thread(this::run, "budgateway-request-log");
        t.setDaemon(true);
        writer = t;
        super.start();
        t.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        Thread t = writer;
        writer = null;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drain(); // whatever came in after the writer's last round
        reportDrops(true);
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (queued.get() >= queueSize) {
            dropped.incrementAndGet();
            return;
        }
        queued.incrementAndGet();
        queue.offer(encoder.encode(event));
    }

    private void run() {
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(flushIntervalMillis);
        while (writer == Thread.currentThread()) {
            LockSupport.parkNanos(this, intervalNanos);
            drain();
            reportDrops(false);
        }
    }

    /** One write for everything queued (more only past the buffer's size). Only the writer thread, or stop(). */
    private synchronized void drain() {
        int length = 0;
        byte[] line;
        while ((line = queue.poll()) != null) {
            queued.decrementAndGet();
            if (length + line.length > buffer.length) {
                if (length > 0) {
                    write(length);
                    length = 0;
                }
                if (line.length > buffer.length) {
                    buffer = Arrays.copyOf(buffer, line.length);
                }
            }
            System.arraycopy(line, 0, buffer, length, line.length);
            length += line.length;
        }
        if (length > 0) {
            write(length);
        }
    }

    private void write(int length) {
        PrintStream out = System.out; // read each time: a test or an embedding host may have replaced it
        out.write(buffer, 0, length);
        out.flush();
    }

    /** @param now at stop: whatever the last report's time */
    private void reportDrops(boolean now) {
        if (dropped.get() == 0 || !now && !dropReports.due()) {
            return;
        }
        long n = dropped.getAndSet(0);
        if (n > 0) {
            logger.warn("request log: {} line(s) dropped, the console is slower than the requests", n);
        }
    }
}
