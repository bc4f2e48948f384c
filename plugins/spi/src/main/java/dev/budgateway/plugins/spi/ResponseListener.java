package dev.budgateway.plugins.spi;

/**
 * Sees a response on its way out. Registered per exchange with {@link Exchange#addListener}; listeners
 * run in reverse order of their filters (the last filter sees the response first), all on the
 * exchange's event loop. A filter that registers none costs nothing per chunk.
 *
 * <p>A listener that needs more than one chunk to decide (a redaction window, a guardrail that checks
 * whole sentences) holds chunks back, {@link ChunkEmitter#pause pauses} or {@link ChunkEmitter#await
 * awaits} for asynchronous work, and emits what it held in {@link #onEnd}.
 */
public interface ResponseListener {

    /** Before the head is sent; may add headers. */
    default void onHead(ResponseHead head) {}

    /**
     * Each chunk of the body (a unary response is one chunk); the default passes it on unchanged. A listener
     * that overrides this sees every event of a stream as a chunk of its own, unless it {@link #takesFrames
     * takes frames}; when no listener of an exchange needs each event, the gateway may pass runs of events
     * nobody reads as {@link Chunk#frames}, which the default passes on too.
     */
    default void onChunk(Chunk chunk, ChunkEmitter next) {
        next.emit(chunk);
    }

    /**
     * Whether this listener, though it overrides {@link #onChunk}, takes {@link Chunk#frames} too: it needs to
     * know that events went by ({@link Chunk#events()} says how many), not what they say. A listener that
     * reads content (a guardrail, a redaction) must not; one that counts does not slow every stream down to
     * an event at a time.
     */
    default boolean takesFrames() {
        return false;
    }

    /**
     * The body ended cleanly, after its last chunk and before the client is told: emit what is still held,
     * or abort. Not called when the body failed or the client left ({@link #onComplete} says so).
     */
    default void onEnd(ChunkEmitter next) {}

    /** Exactly once, at the end, whatever the end was. */
    default void onComplete(Completion completion) {}
}
