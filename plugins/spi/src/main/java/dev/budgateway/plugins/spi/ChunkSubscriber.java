package dev.budgateway.plugins.spi;

/** Receives a {@link ChunkStream}. Exactly one of {@link #onEnd} and {@link #onError} ends it. */
public interface ChunkSubscriber {

    void onChunk(Chunk chunk);

    void onEnd();

    void onError(GatewayError error);

    /**
     * Whether this subscriber takes {@link Chunk#frames} now: events it needs not read, as the upstream's
     * bytes. A stream asks before each piece it reads, so the answer may change (a gate that opens once
     * content has come). The default, {@code false}, gets one chunk per event, always.
     */
    default boolean takesFrames() {
        return false;
    }
}
