package dev.budgateway.plugins.spi;

/** What a {@link ResponseListener} hands its chunks on to: the next listener, then the client. */
public interface ChunkEmitter {

    /** Passes a chunk on; a listener may emit none, one or several chunks for each it receives. */
    void emit(Chunk chunk);

    /**
     * Ends the response with an error: before the head is sent the client gets this status, after
     * it an error event in the stream. The upstream request is cancelled.
     */
    void abort(GatewayError error);
}
