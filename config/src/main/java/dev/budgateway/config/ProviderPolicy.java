package dev.budgateway.config;

import java.util.List;

/**
 * How one provider is called beyond its protocol: retries, its share when the model balances load, its
 * replicas, their health checks and circuit breakers.
 *
 * @param weight the provider's share under {@code weighted} balancing (default 1)
 * @param endpoints the replicas ({@code endpoints = [{ url, weight }]}); empty for the single {@code api_base}
 * @param healthCheckPath {@code health_check_path}, or {@code null} for no active health check
 * @param healthCheckIntervalMs {@code health_check_interval} (seconds in the file)
 * @param circuitBreaker the breaker of each endpoint, or {@code null} for the gateway's {@code [circuit_breaker]}
 */
public record ProviderPolicy(RetryPolicy retries, int weight, List<UpstreamEndpointConfig> endpoints,
        String healthCheckPath, long healthCheckIntervalMs, CircuitBreakerConfig circuitBreaker) {

    public static final long DEFAULT_HEALTH_CHECK_INTERVAL_MS = 30_000;
    public static final ProviderPolicy DEFAULT = new ProviderPolicy(RetryPolicy.NONE, 1, List.of(), null,
            DEFAULT_HEALTH_CHECK_INTERVAL_MS, null);

    public ProviderPolicy {
        endpoints = List.copyOf(endpoints);
    }
}
