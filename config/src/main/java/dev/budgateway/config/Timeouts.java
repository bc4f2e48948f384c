package dev.budgateway.config;

/**
 * TensorZero's {@code timeouts} table. Each value is in milliseconds, or {@code null} when not set.
 *
 * @param nonStreamingTotalMs {@code non_streaming.total_ms}: whole response of a non-streaming call
 * @param streamingTtftMs {@code streaming.ttft_ms}: until the first chunk of a stream
 * @param streamingTotalMs {@code streaming.total_ms}: until the end of a stream
 * @param streamingStallMs {@code streaming.stall_ms}: the longest silence between two events of a stream
 */
public record Timeouts(Long nonStreamingTotalMs, Long streamingTtftMs, Long streamingTotalMs, Long streamingStallMs) {

    public static final Timeouts NONE = new Timeouts(null, null, null, null);

    public Timeouts(Long nonStreamingTotalMs, Long streamingTtftMs, Long streamingTotalMs) {
        this(nonStreamingTotalMs, streamingTtftMs, streamingTotalMs, null);
    }
}
