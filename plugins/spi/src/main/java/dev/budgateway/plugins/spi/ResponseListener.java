package dev.budgateway.plugins.spi;

/**
 * Sees a response on its way out. Registered per exchange with {@link Exchange#addListener}; listeners
 * run in reverse order of their filters (the last filter sees the response first), all on the
 * exchange's event loop. A filter that registers none costs nothing per chunk.
 */
public interface ResponseListener {

    /** Before the head is sent; may add headers. */
    default void onHead(ResponseHead head) {}

    /** Each chunk of the body; the default passes it on unchanged. */
    default void onChunk(Chunk chunk, ChunkEmitter next) {
        next.emit(chunk);
    }

    /** Exactly once, at the end, whatever the end was. */
    default void onComplete(Completion completion) {}
}
