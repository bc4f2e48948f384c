package dev.budgateway.filters.usage;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Keys of the {@code usage-limits} filter.
 *
 * @param redisTimeoutMs how long a request waits for its reservation before {@code on_redis_error} decides
 *     (default 100, the Rust gateway's)
 * @param onRedisError {@code allow} (default, as the Rust gateway: decided from this replica's copy of the
 *     records) or {@code deny} (503 while quotas cannot be reserved)
 * @param reserve whether requests reserve an estimate while in flight (default true)
 * @param defaultMaxTokens the output a request is estimated at when it names no {@code max_tokens} (default 1024)
 * @param reservationTtlMs how long a user's reservations outlive their last one, should a replica die with
 *     requests in flight (default 10 minutes)
 * @param prices per-model prices of the file ({@code input_cost, output_cost, per_tokens}), by model name; the
 *     control plane's {@code pricing} comes first
 * @param defaultPrice the price of a model with none ({@code input_cost, output_cost, per_tokens}); the Rust
 *     gateway's $0.01 / $0.03 per 1K tokens unless set
 * @param quotas quotas of the file, for use without a control plane: {@code {id, scope = "api_key" | "user" |
 *     "project", period = "day" | "month", tokens, cost}}
 */
public record UsageLimitsConfig(Long redisTimeoutMs, String onRedisError, Boolean reserve, Long defaultMaxTokens,
        Long reservationTtlMs, Map<String, JsonNode> prices, JsonNode defaultPrice, List<JsonNode> quotas) {

    public UsageLimitsConfig {
        redisTimeoutMs = redisTimeoutMs == null ? 100L : redisTimeoutMs;
        onRedisError = onRedisError == null ? "allow" : onRedisError;
        reserve = reserve == null || reserve;
        defaultMaxTokens = defaultMaxTokens == null ? 1024L : defaultMaxTokens;
        reservationTtlMs = reservationTtlMs == null ? 600_000L : reservationTtlMs;
        prices = prices == null ? Map.of() : Map.copyOf(prices);
        quotas = quotas == null ? List.of() : List.copyOf(quotas);
        if (!onRedisError.equals("allow") && !onRedisError.equals("deny")) {
            throw new IllegalArgumentException("on_redis_error: expected allow or deny");
        }
        if (redisTimeoutMs < 1 || defaultMaxTokens < 0 || reservationTtlMs < 1000) {
            throw new IllegalArgumentException("redis_timeout_ms ≥ 1, default_max_tokens ≥ 0 and "
                    + "reservation_ttl_ms ≥ 1000");
        }
    }
}
