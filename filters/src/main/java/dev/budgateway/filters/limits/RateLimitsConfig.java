package dev.budgateway.filters.limits;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Keys of the {@code rate-limits} filter.
 *
 * @param limits limits of the file: {@code {id, scope, requests_per_minute, tokens_per_minute, burst_size,
 *     algorithm, mode, on_redis_error}}
 * @param models per-model limits of the file, in the Rust gateway's {@code rate_limits} form, by model name
 * @param defaults the Rust gateway's {@code [gateway.rate_limits]} ({@code enabled, default_requests_per_minute,
 *     default_burst_size, default_algorithm}): the limit of every model that has none of its own
 * @param controlPlane whether the control plane's model tables' {@code rate_limits} apply; by default when Redis is
 *     configured
 * @param redisTimeoutMs how long a request waits for Redis before {@code on_redis_error} decides (default 50)
 * @param onRedisError the default of every limit: {@code local} (default), {@code allow} or {@code deny}
 * @param expectedReplicas how many replicas share the limits, so that each takes its share when deciding alone
 * @param leaseFraction in {@code local} mode, the part of a limit a replica leases at a time (default 0.05)
 * @param keyPrefix the Redis keys' prefix
 */
public record RateLimitsConfig(List<JsonNode> limits, Map<String, JsonNode> models, JsonNode defaults,
        Boolean controlPlane, Long redisTimeoutMs, String onRedisError, Integer expectedReplicas,
        Double leaseFraction, String keyPrefix) {

    public RateLimitsConfig {
        limits = limits == null ? List.of() : List.copyOf(limits);
        models = models == null ? Map.of() : Map.copyOf(models);
        redisTimeoutMs = redisTimeoutMs == null ? 50L : redisTimeoutMs;
        onRedisError = onRedisError == null ? "local" : onRedisError;
        expectedReplicas = expectedReplicas == null ? 1 : expectedReplicas;
        leaseFraction = leaseFraction == null ? 0.05 : leaseFraction;
        keyPrefix = keyPrefix == null ? "budgateway:rl:" : keyPrefix;
        if (redisTimeoutMs < 1) {
            throw new IllegalArgumentException("redis_timeout_ms: expected at least 1");
        }
        if (expectedReplicas < 1) {
            throw new IllegalArgumentException("expected_replicas: expected at least 1");
        }
        if (!(leaseFraction > 0 && leaseFraction <= 1)) {
            throw new IllegalArgumentException("lease_fraction: expected a number in (0, 1]");
        }
    }
}
