package dev.budgateway.filters.limits;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One limit: so many requests (or tokens) per period, per value of its scope.
 *
 * @param id names the limit in keys, headers and messages: the configured id and its window ({@code team:rpm})
 * @param scope what it counts per; empty for one bucket shared by every request
 * @param unit what it counts
 * @param limit how many per period
 * @param periodMillis the period
 * @param burst how many may come at once (gcra); the limit itself unless configured
 * @param mode whether Redis decides every request ({@code exact}) or each replica spends a lease ({@code local})
 * @param onRedisError what applies while Redis is away or slower than the timeout
 */
public record RateLimit(String id, List<Scope> scope, Unit unit, long limit, long periodMillis, long burst,
        Algorithm algorithm, Mode mode, OnRedisError onRedisError) {

    public enum Unit {
        REQUESTS, INPUT_TOKENS, OUTPUT_TOKENS, TOTAL_TOKENS;

        boolean tokens() {
            return this != REQUESTS;
        }
    }

    /** The numbers are the script's. */
    public enum Algorithm {
        GCRA(1), FIXED_WINDOW(2), SLIDING_WINDOW(3);

        final int code;

        Algorithm(int code) {
            this.code = code;
        }

        static Algorithm parse(String name) {
            return switch (name) {
                case "gcra", "token_bucket" -> GCRA;
                case "fixed_window" -> FIXED_WINDOW;
                case "sliding_window" -> SLIDING_WINDOW;
                default -> throw new IllegalArgumentException("algorithm: expected token_bucket (gcra), fixed_window "
                        + "or sliding_window, found \"" + name + "\"");
            };
        }
    }

    public enum Mode { EXACT, LOCAL }

    public enum OnRedisError { ALLOW, DENY, LOCAL }

    public RateLimit {
        scope = List.copyOf(scope);
        if (limit < 1) {
            throw new IllegalArgumentException(id + ": a limit must be at least 1");
        }
        if (burst < 1) {
            throw new IllegalArgumentException(id + ": burst_size must be at least 1");
        }
    }

    private static final Map<String, Long> REQUEST_WINDOWS = Map.of("requests_per_second", 1_000L,
            "requests_per_minute", 60_000L, "requests_per_hour", 3_600_000L, "requests_per_day", 86_400_000L);
    private static final Map<String, Long> TOKEN_WINDOWS = Map.of("tokens_per_minute", 60_000L,
            "tokens_per_hour", 3_600_000L, "tokens_per_day", 86_400_000L);
    private static final List<String> WINDOW_ORDER = List.of("requests_per_second", "requests_per_minute",
            "requests_per_hour", "requests_per_day", "tokens_per_minute", "tokens_per_hour", "tokens_per_day");
    private static final Set<String> KEYS = Set.of("id", "scope", "tokens", "burst_size", "algorithm", "mode",
            "on_redis_error", "enabled", "requests_per_second", "requests_per_minute", "requests_per_hour",
            "requests_per_day", "tokens_per_minute", "tokens_per_hour", "tokens_per_day", "cache_ttl_ms",
            "redis_timeout_ms", "local_allowance", "sync_interval_ms");

    /**
     * Reads one entry: {@code {id, scope, requests_per_minute = 100, tokens_per_minute = 50000, burst_size,
     * algorithm, mode, on_redis_error}}; one limit per window it names, all of which must pass. The Rust gateway's
     * per-model form ({@code algorithm, requests_per_second|minute|hour, burst_size, enabled} and its tuning keys)
     * reads the same way. A disabled entry gives none.
     */
    static List<RateLimit> parse(JsonNode entry, String defaultId, List<Scope> defaultScope,
            OnRedisError defaultOnError) {
        if (!entry.isObject()) {
            throw new IllegalArgumentException("expected a table");
        }
        entry.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown key \"" + k + "\"");
            }
        });
        if (!entry.path("enabled").asBoolean(true)) {
            return List.of();
        }
        String id = entry.path("id").asText(defaultId);
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id: every limit needs an id");
        }
        List<Scope> scope = defaultScope;
        JsonNode s = entry.get("scope");
        if (s != null) {
            scope = new ArrayList<>();
            if (s.isTextual()) {
                scope.add(Scope.parse(s.asText()));
            } else if (s.isArray()) {
                for (JsonNode v : s) {
                    scope.add(Scope.parse(v.asText()));
                }
            } else {
                throw new IllegalArgumentException("scope: expected a name or a list of names");
            }
        }
        Unit tokens = switch (entry.path("tokens").asText("total")) {
            case "total" -> Unit.TOTAL_TOKENS;
            case "input" -> Unit.INPUT_TOKENS;
            case "output" -> Unit.OUTPUT_TOKENS;
            default -> throw new IllegalArgumentException("tokens: expected total, input or output");
        };
        Algorithm algorithm = Algorithm.parse(entry.path("algorithm").asText("gcra"));
        Mode mode = switch (entry.path("mode").asText("exact")) {
            case "exact" -> Mode.EXACT;
            case "local" -> Mode.LOCAL;
            default -> throw new IllegalArgumentException("mode: expected exact or local");
        };
        OnRedisError onError = entry.has("on_redis_error") ? parseOnError(entry.get("on_redis_error").asText())
                : defaultOnError;
        List<RateLimit> out = new ArrayList<>();
        for (String window : WINDOW_ORDER) {
            JsonNode v = entry.get(window);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.canConvertToLong() || v.asLong() < 1) {
                throw new IllegalArgumentException(window + ": expected a whole number of at least 1");
            }
            boolean requests = REQUEST_WINDOWS.containsKey(window);
            long period = requests ? REQUEST_WINDOWS.get(window) : TOKEN_WINDOWS.get(window);
            long burst = entry.path("burst_size").asLong(0);
            if (burst <= 0 || !requests) {
                burst = v.asLong();
            }
            out.add(new RateLimit(id + ":" + shortName(window), scope, requests ? Unit.REQUESTS : tokens, v.asLong(),
                    period, burst, algorithm, mode, onError));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(id + ": names no window (requests_per_minute, tokens_per_minute, ...)");
        }
        return out;
    }

    static OnRedisError parseOnError(String v) {
        return switch (v) {
            case "allow" -> OnRedisError.ALLOW;
            case "deny" -> OnRedisError.DENY;
            case "local" -> OnRedisError.LOCAL;
            default -> throw new IllegalArgumentException("on_redis_error: expected allow, deny or local");
        };
    }

    /** {@code requests_per_minute} → {@code rpm}, as in OpenAI's vocabulary. */
    private static String shortName(String window) {
        String[] parts = window.split("_per_");
        return (parts[0].equals("requests") ? "r" : "t") + "p" + parts[1].charAt(0);
    }

    /** How many this request counts for when it starts: one request; tokens are charged at the end. */
    long startAmount() {
        return unit == Unit.REQUESTS ? 1 : 0;
    }

    /** What {@code inputTokens} and {@code outputTokens} count for under this limit. */
    long tokens(long inputTokens, long outputTokens) {
        return switch (unit) {
            case INPUT_TOKENS -> inputTokens;
            case OUTPUT_TOKENS -> outputTokens;
            case TOTAL_TOKENS -> inputTokens + outputTokens;
            case REQUESTS -> 0;
        };
    }
}
