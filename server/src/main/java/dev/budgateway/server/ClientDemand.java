package dev.budgateway.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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

    /** {@code bytes} were written to the client. */
    void wrote(int bytes) {
        pending += bytes;
        if (pending >= HIGH_WATER_BYTES && !paused) {
            paused = true;
            pause.run();
        }
        watch();
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
        pending = Math.max(0, pending - covered);
        watch();
        if (pending < HIGH_WATER_BYTES && paused) {
            paused = false;
            resume.run();
        }
    }
}
