package dev.budgateway.filters.blocking;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Keys of the {@code blocking} filter.
 *
 * @param rules rules written in the file, in the control plane's shape
 *     ({@code {id, rule_type, name, priority, status, config, action, expires_at}})
 * @param controlPlane whether the control plane's rules (Redis) apply too; by default when Redis is configured
 * @param onRedisError what rate rules do while Redis is away: {@code count_locally} (the default: each replica
 *     counts on its own, so the threshold holds per replica) or {@code allow}
 */
public record BlockingConfig(List<JsonNode> rules, Boolean controlPlane, String onRedisError) {

    public BlockingConfig {
        rules = rules == null ? List.of() : List.copyOf(rules);
        onRedisError = onRedisError == null ? "count_locally" : onRedisError;
        if (!onRedisError.equals("count_locally") && !onRedisError.equals("allow")) {
            throw new IllegalArgumentException("on_redis_error: expected \"count_locally\" or \"allow\"");
        }
    }
}
