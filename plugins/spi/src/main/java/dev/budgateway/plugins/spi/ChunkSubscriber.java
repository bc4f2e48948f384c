package dev.budgateway.plugins.spi;

/** Receives a {@link ChunkStream}. Exactly one of {@link #onEnd} and {@link #onError} ends it. */
public interface ChunkSubscriber {

    void onChunk(Chunk chunk);

    void onEnd();

    void onError(GatewayError error);
}
