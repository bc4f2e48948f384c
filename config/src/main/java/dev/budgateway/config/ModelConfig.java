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
 */
public record ModelConfig(
        String name,
        List<String> routing,
        Map<String, ProviderConfig> providers,
        Set<ApiEndpoint> endpoints,
        Timeouts timeouts) {

    public ModelConfig {
        routing = List.copyOf(routing);
        providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
        endpoints = endpoints == null ? null : Set.copyOf(endpoints);
    }
}
