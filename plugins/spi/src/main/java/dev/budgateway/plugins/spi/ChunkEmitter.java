package dev.budgateway.plugins.spi;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * What a {@link ResponseListener} hands its chunks on to: the next listener, then the client. Every method
 * must be called on the exchange's event loop (tests run with assertions that check it); {@link #await} is
 * the way back there from another thread.
 */
public interface ChunkEmitter {

    /** Passes a chunk on; a listener may emit none, one or several chunks for each it receives. */
    void emit(Chunk chunk);

    /**
     * Ends the response with an error: before the head is sent the client gets this status, after
     * it an error event in the stream. The upstream request is cancelled.
     */
    void abort(GatewayError error);

    /**
     * Stops delivery to this listener until as many {@link #resume()} calls: chunks and the end that arrive
     * meanwhile wait, in order, and the upstream is asked for nothing more, exactly as when the client is
     * slow. The listener may still emit while paused.
     */
    void pause();

    /** Undoes one {@link #pause()}; what waited is then delivered. */
    void resume();

    /**
     * Pauses until {@code stage} completes, then runs {@code then} on the event loop and resumes. When the
     * stage fails the response is aborted with an internal error (handle failures in the stage to decide
     * otherwise); when the response ends first (the client left), the stage is cancelled and {@code then}
     * never runs. The stage should carry its own time limit ({@code orTimeout}).
     */
    <T> void await(CompletionStage<T> stage, Consumer<? super T> then);
}
