package dev.budgateway.filters.fallback;

/**
 * Keys of the {@code fallback} filter.
 *
 * @param maxAttempts how many candidates to try at most; all of them when absent
 */
public record FallbackConfig(Integer maxAttempts) {
    public FallbackConfig {
        if (maxAttempts != null && maxAttempts < 1) {
            throw new IllegalArgumentException("max_attempts: must be at least 1, found " + maxAttempts);
        }
    }
}
