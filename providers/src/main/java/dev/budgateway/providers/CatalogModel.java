package dev.budgateway.providers;

import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import java.util.List;
import java.util.Set;

/**
 * A model as the gateway serves it.
 *
 * @param providers in routing order
 * @param configured whether it is in {@code [models]} (as opposed to a shorthand like {@code openai::gpt-4o})
 */
public record CatalogModel(String name, List<ModelProvider> providers, Set<ApiEndpoint> endpoints, Timeouts timeouts,
        boolean configured) {

    public CatalogModel {
        providers = List.copyOf(providers);
        endpoints = Set.copyOf(endpoints);
    }

    /** The provider named {@code name}, or {@code null}. */
    public ModelProvider provider(String name) {
        for (ModelProvider p : providers) {
            if (p.target().provider().equals(name)) {
                return p;
            }
        }
        return null;
    }
}
