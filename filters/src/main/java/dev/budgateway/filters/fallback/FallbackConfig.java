package dev.budgateway.filters.fallback;

/**
 * Keys of the {@code fallback} filter.
 *
 * @param maxAttempts how many attempts to make at most; as many as the plan has when absent
 * @param resume continue a chat stream that breaks after content on the next candidate that can take the
 *     partial answer as prefill (Anthropic, Bedrock, vLLM, SGLang)
 * @param maxBytesBeforeContent how much of a stream is held back while it has no content yet (the role
 *     chunk, empty deltas) before the attempt is given up as broken; default 1 MiB
 */
public record FallbackConfig(Integer maxAttempts, Boolean resume, Long maxBytesBeforeContent) {

    public static final long DEFAULT_MAX_BYTES_BEFORE_CONTENT = 1024 * 1024;

    public FallbackConfig {
        if (maxAttempts != null && maxAttempts < 1) {
            throw new IllegalArgumentException("max_attempts: must be at least 1, found " + maxAttempts);
        }
        if (maxBytesBeforeContent != null && (maxBytesBeforeContent < 1
                || maxBytesBeforeContent > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("max_bytes_before_content: must be from 1 to 2147483647, found "
                    + maxBytesBeforeContent);
        }
    }
}
