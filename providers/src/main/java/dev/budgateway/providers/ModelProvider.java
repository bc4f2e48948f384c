package dev.budgateway.providers;

import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.providers.pool.Balanced;

/** One provider of one model, ready to call. Balanced by its {@code weight} and its replicas' load. */
public record ModelProvider(RouteTarget target, ProviderConfig config, Provider provider) implements Balanced {

    @Override
    public int weight() {
        return config.policy().weight();
    }

    @Override
    public int inFlight() {
        return provider.load().inFlight();
    }

    @Override
    public double latencyMs() {
        return provider.load().latencyMs();
    }
}
