package dev.budgateway.providers.http;

/**
 * Splits a streamed upstream body into events: server-sent events for most providers, AWS event-stream
 * frames for Bedrock. Bytes may be split anywhere. Not thread-safe; one per stream.
 */
public interface EventDecoder {

    void feed(byte[] bytes);

    /**
     * Like {@link #feed(byte[])}, but whole events that nobody needs to read may go to {@code frames} as the
     * bytes they came in, instead of being decoded; the default decodes every event.
     */
    default void feed(byte[] bytes, Frames frames) {
        feed(bytes);
    }

    /** Where a decoder hands on a run of a piece's bytes: whole events, in order with the decoded ones. */
    interface Frames {
        /** {@code piece[from, to)} holds {@code events} whole plain events (and maybe comments). */
        void frames(byte[] piece, int from, int to, int events);
    }

    /** At the end of input: dispatches what is complete, and fails on a partial frame if the format says so. */
    void finish();
}
