package dev.budgateway.providers.sse;

import java.nio.charset.StandardCharsets;

/** One server-sent event: its {@code event:} name ({@code null} when absent) and its data bytes. */
public record SseEvent(String event, byte[] data) {

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    /** Whether this is OpenAI's end-of-stream marker {@code data: [DONE]}. */
    public boolean isDone() {
        return java.util.Arrays.equals(data, DONE);
    }
}
