package dev.budgateway.config;

import dev.budgateway.plugins.spi.ApiEndpoint;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code [models.NAME]} table.
 *
 * @param routing provider names in the order they are tried
 * @param providers by name, in declaration order
 * @param endpoints what the model serves, or {@code null} for its providers' defaults
 * @param fallbackModels models tried, in order, when every provider of this one has failed
 * @param retries passes over the whole routing list after the first
 * @param loadBalancing how the first provider (and each provider's endpoint) is picked
 */
public record ModelConfig(
        String name,
        List<String> routing,
        Map<String, ProviderConfig> providers,
        Set<ApiEndpoint> endpoints,
        Timeouts timeouts,
        List<String> fallbackModels,
        RetryPolicy retries,
        LoadBalancing loadBalancing) {

    public ModelConfig {
        routing = List.copyOf(routing);
        fallbackModels = List.copyOf(fallbackModels);
        providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
        endpoints = endpoints == null ? null : Set.copyOf(endpoints);
    }

    /** The same model with other fallback models. */
    public ModelConfig withFallbackModels(List<String> models) {
        return new ModelConfig(name, routing, providers, endpoints, timeouts, models, retries, loadBalancing);
    }
}
