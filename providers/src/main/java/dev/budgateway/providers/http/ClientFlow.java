package dev.budgateway.providers.http;

import dev.budgateway.plugins.spi.Key;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Backpressure from a slow client to its upstream: the responder counts the frames written to the client
 * and not yet taken by the connection; while too many are waiting, an upstream stream stops asking its
 * upstream for more, so TCP slows the upstream down instead of the gateway buffering its whole answer.
 * One per exchange, used on the exchange's event loop only.
 */
public final class ClientFlow {

    public static final Key<ClientFlow> KEY = Key.of("client_flow", ClientFlow.class);

    /** Frames waiting for the connection before the upstream is paused (a few hundred KB of SSE). */
    static final int HIGH_WATER = 64;

    private final Supplier<CompletableFuture<Void>> whenConsumed;
    private final java.util.concurrent.Executor eventLoop;
    private int pending;
    private boolean watching;
    private Runnable resume;

    /**
     * @param whenConsumed completes when every frame written so far has been taken by the connection
     */
    public ClientFlow(Supplier<CompletableFuture<Void>> whenConsumed, java.util.concurrent.Executor eventLoop) {
        this.whenConsumed = whenConsumed;
        this.eventLoop = eventLoop;
    }

    /** A frame was written to the client. */
    public void wrote() {
        pending++;
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
        if (pending < HIGH_WATER && resume != null) {
            Runnable r = resume;
            resume = null;
            r.run();
        }
    }

    /** Whether the client has fallen behind and the upstream should wait. */
    boolean saturated() {
        return pending >= HIGH_WATER;
    }

    /** Runs {@code r} once the client has caught up (replacing an earlier one). */
    void whenDrained(Runnable r) {
        resume = r;
    }
}
