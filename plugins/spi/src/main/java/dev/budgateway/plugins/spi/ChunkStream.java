package dev.budgateway.plugins.spi;

import java.util.List;

/**
 * The body of a response as chunks, pushed to one subscriber on the exchange's event loop. The
 * consumer may {@link #cancel()} at any time, e.g. when the client went away; the producer then
 * releases the upstream request and calls nothing more.
 */
public interface ChunkStream {

    void subscribe(ChunkSubscriber subscriber);

    void cancel();

    /** A stream of chunks known in advance. */
    static ChunkStream of(Chunk... chunks) {
        List<Chunk> list = List.of(chunks);
        return new ChunkStream() {
            private volatile boolean cancelled;

            @Override
            public void subscribe(ChunkSubscriber subscriber) {
                for (Chunk c : list) {
                    if (cancelled) {
                        return;
                    }
                    subscriber.onChunk(c);
                }
                if (!cancelled) {
                    subscriber.onEnd();
                }
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        };
    }
}
