package dev.budgateway.providers.http;

/**
 * Splits a streamed upstream body into events: server-sent events for most providers, AWS event-stream
 * frames for Bedrock. Bytes may be split anywhere. Not thread-safe; one per stream.
 */
public interface EventDecoder {

    void feed(byte[] bytes);

    /** At the end of input: dispatches what is complete, and fails on a partial frame if the format says so. */
    void finish();
}
