package dev.budgateway.config;

/**
 * The {@code [circuit_breaker]} table (and a provider's {@code circuit_breaker} override): per upstream
 * endpoint, {@code failure_threshold} failures in a row open the breaker; while open the endpoint is skipped
 * at once; after {@code timeout_duration} seconds up to {@code half_open_max_calls} trial requests go
 * through, and the breaker closes unless they all fail.
 */
public record CircuitBreakerConfig(boolean enabled, int failureThreshold, double timeoutDurationS,
        int halfOpenMaxCalls) {

    /** The seeds' values. */
    public static final CircuitBreakerConfig DEFAULTS = new CircuitBreakerConfig(true, 5, 60, 3);
    public static final CircuitBreakerConfig DISABLED = new CircuitBreakerConfig(false, 5, 60, 3);
}
