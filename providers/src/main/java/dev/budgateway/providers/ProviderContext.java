package dev.budgateway.providers;

import dev.budgateway.config.CircuitBreakerConfig;
import dev.budgateway.config.LoadBalancing;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.pool.EndpointPool;
import java.net.URI;
import java.util.List;
import java.util.function.Function;

/**
 * What a {@link ProviderType} gets to build a provider with, besides its table: the HTTP client, the
 * environment (for types that read more than a key from it), and how the model balances and guards its
 * upstreams.
 *
 * @param balancing the model's {@code load_balancing}, applied to a provider's {@code endpoints}
 * @param circuitBreaker the gateway's {@code [circuit_breaker]}, for providers that do not set their own
 */
public record ProviderContext(UpstreamClient upstream, Function<String, String> env, LoadBalancing balancing,
        CircuitBreakerConfig circuitBreaker) {

    /**
     * The provider's replicas: its {@code endpoints}, or the one {@code base} (its {@code api_base} or the
     * type's default). {@code null} after adding problems.
     */
    public EndpointPool pool(ProviderConfig config, URI base, List<ConfigProblem> problems) {
        return EndpointPool.create(config, base, this, problems);
    }
}
