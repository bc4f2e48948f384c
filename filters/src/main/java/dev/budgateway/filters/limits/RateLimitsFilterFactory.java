package dev.budgateway.filters.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code type = "rate-limits"}: request and token limits per key, user, project, model, endpoint or address. */
public final class RateLimitsFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "rate-limits";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        RateLimitsConfig c = config.bind(RateLimitsConfig.class);
        RateLimit.OnRedisError onError;
        try {
            onError = RateLimit.parseOnError(c.onRedisError());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(config.path() + ".on_redis_error", e.getMessage());
        }
        List<RateLimit> limits = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < c.limits().size(); i++) {
            String path = config.path() + ".limits[" + i + "]";
            JsonNode entry = c.limits().get(i);
            for (RateLimit l : read(path, () -> RateLimit.parse(entry, null, List.of(), onError))) {
                if (!ids.add(l.id())) {
                    throw new ConfigException(path + ".id", "another limit has the id " + l.id());
                }
                limits.add(l);
            }
        }
        Map<String, List<RateLimit>> models = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : c.models().entrySet()) {
            models.put(e.getKey(), read(config.path() + ".models." + e.getKey(),
                    () -> ModelLimits.read(e.getKey(), e.getValue(), onError)));
        }
        List<RateLimit> defaults = c.defaults() == null ? List.of()
                : read(config.path() + ".defaults", () -> defaults(c.defaults(), onError));
        for (List<RateLimit> ls : List.of(limits, defaults)) {
            check(config.path(), ls);
        }
        for (List<RateLimit> ls : models.values()) {
            check(config.path(), ls);
        }
        ControlPlane controlPlane = env.service(ControlPlane.SERVICE).orElse(null);
        if (Boolean.TRUE.equals(c.controlPlane()) && controlPlane == null) {
            throw new ConfigException(config.path() + ".control_plane", "needs Redis: set [redis] url or "
                    + "TENSORZERO_REDIS_URL");
        }
        ModelLimits modelLimits = new ModelLimits(models, defaults, onError);
        if (controlPlane != null && !Boolean.FALSE.equals(c.controlPlane())) {
            modelLimits.watch(controlPlane);
        }
        return new RateLimitsFilter(limits, modelLimits, controlPlane, c, env.clock(), env.metrics());
    }

    private interface Reader {
        List<RateLimit> read();
    }

    private static List<RateLimit> read(String path, Reader reader) throws ConfigException {
        try {
            return reader.read();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, e.getMessage());
        }
    }

    private static void check(String path, List<RateLimit> limits) throws ConfigException {
        for (RateLimit l : limits) {
            if (l.mode() == RateLimit.Mode.LOCAL && l.unit().tokens()) {
                throw new ConfigException(path, l.id() + ": mode = \"local\" applies to request limits; token limits "
                        + "are charged after the response and stay exact");
            }
        }
    }

    /**
     * The Rust gateway's {@code [gateway.rate_limits]}: {@code enabled}, {@code default_requests_per_minute},
     * {@code default_burst_size}, {@code default_algorithm}; a limit per model.
     */
    static List<RateLimit> defaults(JsonNode d, RateLimit.OnRedisError onError) {
        if (!d.isObject()) {
            throw new IllegalArgumentException("expected a table");
        }
        if (!d.path("enabled").asBoolean(true) || !d.has("default_requests_per_minute")) {
            return List.of();
        }
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.set("requests_per_minute", d.get("default_requests_per_minute"));
        if (d.has("default_burst_size")) {
            entry.set("burst_size", d.get("default_burst_size"));
        }
        if (d.has("default_algorithm")) {
            entry.set("algorithm", d.get("default_algorithm"));
        }
        return RateLimit.parse(entry, "default", List.of(Scope.ENDPOINT), onError);
    }
}
