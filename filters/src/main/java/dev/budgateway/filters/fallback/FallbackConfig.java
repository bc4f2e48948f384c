package dev.budgateway.filters.fallback;

/**
 * Keys of the {@code fallback} filter.
 *
 * @param maxAttempts how many attempts to make at most; as many as the plan has when absent
 * @param resume continue a chat stream that breaks after content on the next candidate that can take the
 *     partial answer as prefill (Anthropic, Bedrock, vLLM, SGLang)
 */
public record FallbackConfig(Integer maxAttempts, Boolean resume) {
    public FallbackConfig {
        if (maxAttempts != null && maxAttempts < 1) {
            throw new IllegalArgumentException("max_attempts: must be at least 1, found " + maxAttempts);
        }
    }
}
