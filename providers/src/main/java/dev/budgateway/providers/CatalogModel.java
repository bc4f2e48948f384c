package dev.budgateway.providers;

import dev.budgateway.config.LoadBalancing;
import dev.budgateway.config.RetryPolicy;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.providers.pool.Balancer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A model as the gateway serves it.
 *
 * @param providers in routing order
 * @param configured whether it is in {@code [models]} (as opposed to a shorthand like {@code openai::gpt-4o})
 * @param fallbackModels tried in order once all of this model's providers have failed
 * @param retries passes over the providers after the first
 * @param balancer picks the provider tried first
 */
public record CatalogModel(String name, List<ModelProvider> providers, Set<ApiEndpoint> endpoints, Timeouts timeouts,
        boolean configured, List<String> fallbackModels, RetryPolicy retries, Balancer balancer) {

    public CatalogModel {
        providers = List.copyOf(providers);
        endpoints = Set.copyOf(endpoints);
        fallbackModels = List.copyOf(fallbackModels);
    }

    /** A model with one provider and no fallbacks, retries or balancing (a shorthand). */
    public static CatalogModel single(String name, ModelProvider provider, Set<ApiEndpoint> endpoints) {
        return new CatalogModel(name, List.of(provider), endpoints, Timeouts.NONE, false, List.of(), RetryPolicy.NONE,
                new Balancer(LoadBalancing.ORDERED));
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

    /**
     * The providers in the order this request tries them: the balancer's pick first, the others after it in
     * routing order.
     */
    public List<ModelProvider> ordered() {
        if (balancer.strategy() == LoadBalancing.ORDERED || providers.size() == 1) {
            return providers;
        }
        int first = balancer.pick(providers);
        if (first == 0) {
            return providers;
        }
        List<ModelProvider> out = new ArrayList<>(providers.size());
        out.add(providers.get(first));
        for (int i = 0; i < providers.size(); i++) {
            if (i != first) {
                out.add(providers.get(i));
            }
        }
        return out;
    }
}
