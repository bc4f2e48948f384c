package dev.budgateway.plugins.spi;

import java.util.List;

/** {@link ChunkStream#of}: chunks pushed on subscription, stopping between two while paused. */
final class KnownChunks implements ChunkStream {

    private final List<Chunk> chunks;
    private final GatewayError error;
    private ChunkSubscriber subscriber;
    private int next;
    private boolean cancelled;
    private boolean paused;
    private boolean pushing;

    KnownChunks(List<Chunk> chunks, GatewayError error) {
        this.chunks = chunks;
        this.error = error;
    }

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
        while (!cancelled && !paused && next < chunks.size()) {
            subscriber.onChunk(chunks.get(next++));
        }
        pushing = false;
        if (cancelled || paused || next > chunks.size()) {
            return;
        }
        next++;
        if (error == null) {
            subscriber.onEnd();
        } else {
            subscriber.onError(error);
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
}
