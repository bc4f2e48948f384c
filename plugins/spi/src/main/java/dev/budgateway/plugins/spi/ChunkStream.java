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
        List<Chunk> list = List.of(chunks);
        return new ChunkStream() {
            private ChunkSubscriber subscriber;
            private int next;
            private boolean cancelled;
            private boolean paused;
            private boolean pushing;

            @Override
            public void subscribe(ChunkSubscriber subscriber) {
                this.subscriber = subscriber;
                push();
            }

            private void push() {
                if (pushing) {
                    return; // resumed from inside onChunk: the loop below goes on
                }
                pushing = true;
                while (!cancelled && !paused && next < list.size()) {
                    subscriber.onChunk(list.get(next++));
                }
                pushing = false;
                if (!cancelled && !paused && next == list.size()) {
                    next++;
                    subscriber.onEnd();
                }
            }

            @Override
            public void cancel() {
                cancelled = true;
            }

            @Override
            public void pause() {
                paused = true;
            }

            @Override
            public void resume() {
                paused = false;
                if (subscriber != null) {
                    push();
                }
            }
        };
    }
}
