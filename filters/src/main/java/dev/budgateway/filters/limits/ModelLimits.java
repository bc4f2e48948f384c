package dev.budgateway.filters.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.ModelPolicies;
import java.util.List;
import java.util.Map;

/**
 * The limits of each model, per the catalogue model a request is for ({@link Scope#ENDPOINT}): the
 * control plane's {@code rate_limits} of each {@code model_table:<endpoint_id>}, kept current as budapp
 * rewrites them, then the file's {@code models} table, then the defaults (the Rust gateway's
 * {@code [gateway.rate_limits]}) for a model with neither.
 */
final class ModelLimits {

    private final ModelPolicies<List<RateLimit>> published;
    private final Map<String, List<RateLimit>> configured;
    private final List<RateLimit> defaults;

    ModelLimits(Map<String, List<RateLimit>> configured, List<RateLimit> defaults, RateLimit.OnRedisError onError) {
        this.configured = Map.copyOf(configured);
        this.defaults = List.copyOf(defaults);
        this.published = new ModelPolicies<>("rate_limits", node -> RateLimit.parse(node, "model", List.of(Scope.ENDPOINT), onError));
    }

    void watch(ControlPlane controlPlane) {
        published.watch(controlPlane);
    }

    /** The limits of {@code model}; empty when it has none. */
    List<RateLimit> of(String model) {
        if (model == null) {
            return List.of();
        }
        List<RateLimit> own = published.of(model);
        if (own == null) {
            own = configured.get(model);
        }
        return own != null ? own : defaults;
    }

    boolean isEmpty() {
        return configured.isEmpty() && defaults.isEmpty() && published.isEmpty();
    }

    static List<RateLimit> read(String model, JsonNode rateLimits, RateLimit.OnRedisError onError) {
        return RateLimit.parse(rateLimits, "model:" + model, List.of(Scope.ENDPOINT), onError);
    }
}
