package dev.budgateway.config;

/**
 * TensorZero's {@code retries = { num_retries, max_delay_s }} (budgateway's {@code retry_config}): after a
 * retryable failure (connection error, timeout, 429, 5xx) try again up to {@code numRetries} times,
 * waiting 2^n × 100 ms with full jitter, capped at {@code maxDelayS}; an upstream {@code Retry-After} within
 * the cap is waited instead.
 */
public record RetryPolicy(int numRetries, double maxDelayS) {

    public static final RetryPolicy NONE = new RetryPolicy(0, 10);

    /** More tries than this only hide an outage, and each one is planned ahead (see AttemptPlan). */
    public static final int MAX_RETRIES = 100;

    /** TensorZero's default cap. */
    public static final double DEFAULT_MAX_DELAY_S = 10;
}
