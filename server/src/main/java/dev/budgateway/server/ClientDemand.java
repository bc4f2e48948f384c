package dev.budgateway.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Backpressure from a slow client: counts the bytes written to the client and not yet taken by the
 * connection; while too many wait, the response is paused (and with it the upstream stream, which stops
 * asking its upstream for more, so TCP slows the upstream down instead of the gateway buffering its whole
 * answer). One per exchange, used on the exchange's event loop only.
 */
final class ClientDemand {

    /**
     * Bytes waiting for the connection before the upstream is paused. Bytes, not writes: a write carries
     * every event of one turn of the event loop, from one event to hundreds.
     */
    static final long HIGH_WATER_BYTES = 256 * 1024;

    /**
     * What all streams together may hold for their clients (a quarter of the heap). Past it, a stream pauses
     * from {@link #FLOOR_BYTES}: 10,000 slow clients at the per-stream mark alone would need 2.5 GB, and a heap
     * that fills does not fail, it spends its time collecting.
     */
    static final long ALL_STREAMS_BYTES = Runtime.getRuntime().maxMemory() / 4;

    /** A stream's allowance while all streams together are past {@link #ALL_STREAMS_BYTES}. */
    static final long FLOOR_BYTES = 16 * 1024;

    private static final AtomicLong ALL_PENDING = new AtomicLong();

    private final Supplier<CompletableFuture<Void>> whenConsumed;
    private final Executor eventLoop;
    private final Runnable pause;
    private final Runnable resume;
    private long pending;
    private boolean watching;
    private boolean paused;

    /**
     * @param whenConsumed completes when every frame written so far has been taken by the connection
     */
    ClientDemand(Supplier<CompletableFuture<Void>> whenConsumed, Executor eventLoop, Runnable pause, Runnable resume) {
        this.whenConsumed = whenConsumed;
        this.eventLoop = eventLoop;
        this.pause = pause;
        this.resume = resume;
    }

    /** What all streams together hold for their clients now. */
    static long allPendingBytes() {
        return ALL_PENDING.get();
    }

    /** {@code bytes} were written to the client. */
    void wrote(int bytes) {
        pending += bytes;
        long all = ALL_PENDING.addAndGet(bytes);
        if (!paused && tooMuch(all)) {
            paused = true;
            pause.run();
        }
        watch();
    }

    private boolean tooMuch(long all) {
        return pending >= HIGH_WATER_BYTES || pending >= FLOOR_BYTES && all >= ALL_STREAMS_BYTES;
    }

    private void watch() {
        if (watching || pending == 0) {
            return;
        }
        watching = true;
        long covered = pending;
        whenConsumed.get().whenComplete((unused, failure) -> eventLoop.execute(() -> drained(covered)));
    }

    private void drained(long covered) {
        watching = false;
        long taken = Math.min(pending, covered);
        pending -= taken;
        long all = ALL_PENDING.addAndGet(-taken);
        watch();
        if (paused && !tooMuch(all)) {
            paused = false;
            resume.run();
        }
    }
}
