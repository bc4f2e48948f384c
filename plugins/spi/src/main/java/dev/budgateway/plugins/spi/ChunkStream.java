package dev.budgateway.plugins.spi;

import java.util.List;

/**
 * The body of a response as chunks, pushed to one subscriber on the exchange's event loop. The
 * consumer may {@link #cancel()} at any time, e.g. when the client went away; the producer then
 * releases the upstream request and calls nothing more. The consumer sets the pace with {@link #pause()}
 * and {@link #resume()}: that is how a slow client, or a listener waiting for a check, holds the upstream
 * back.
 */
public interface ChunkStream {

    void subscribe(ChunkSubscriber subscriber);

    void cancel();

    /**
     * Asks for nothing more until {@link #resume()}; a few chunks already on their way may still arrive.
     * The default does nothing: a stream that cannot pause keeps pushing, and the gateway queues what it
     * pushes. A stream that wraps another forwards both calls to it.
     */
    default void pause() {}

    /** Asks for chunks again after {@link #pause()}. */
    default void resume() {}

    /** A stream of chunks known in advance; it honours {@link #pause()}. */
    static ChunkStream of(Chunk... chunks) {
        return new KnownChunks(List.of(chunks), null);
    }

    /**
     * Chunks known in advance, then the end: clean when {@code error} is {@code null}, else that error (a
     * stream that breaks after them). It honours {@link #pause()}.
     */
    static ChunkStream of(List<Chunk> chunks, GatewayError error) {
        return new KnownChunks(List.copyOf(chunks), error);
    }
}
