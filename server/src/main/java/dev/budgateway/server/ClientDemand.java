package dev.budgateway.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Backpressure from a slow client: counts the frames written to the client and not yet taken by the
 * connection; while too many wait, the response is paused (and with it the upstream stream, which stops
 * asking its upstream for more, so TCP slows the upstream down instead of the gateway buffering its whole
 * answer). One per exchange, used on the exchange's event loop only.
 */
final class ClientDemand {

    /** Frames waiting for the connection before the upstream is paused (a few hundred KB of SSE). */
    static final int HIGH_WATER = 64;

    private final Supplier<CompletableFuture<Void>> whenConsumed;
    private final Executor eventLoop;
    private final Runnable pause;
    private final Runnable resume;
    private int pending;
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

    /** A frame was written to the client. */
    void wrote() {
        pending++;
        if (pending >= HIGH_WATER && !paused) {
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
        int covered = pending;
        whenConsumed.get().whenComplete((unused, failure) -> eventLoop.execute(() -> drained(covered)));
    }

    private void drained(int covered) {
        watching = false;
        pending = Math.max(0, pending - covered);
        watch();
        if (pending < HIGH_WATER && paused) {
            paused = false;
            resume.run();
        }
    }
}
