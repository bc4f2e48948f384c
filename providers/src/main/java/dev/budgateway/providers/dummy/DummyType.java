package dev.budgateway.providers.dummy;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderContext;
import dev.budgateway.providers.ProviderType;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code dummy} type: answers inside the gateway; see {@link DummyProvider} for its model names. */
public final class DummyType implements ProviderType {

    @Override
    public String name() {
        return "dummy";
    }

    @Override
    public Set<ApiEndpoint> defaultEndpoints() {
        return Set.of(ApiEndpoint.CHAT, ApiEndpoint.COMPLETIONS, ApiEndpoint.EMBEDDING);
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, ProviderContext context, List<ConfigProblem> problems) {
        return new DummyProvider(config.name(), config.modelName());
    }

    @Override
    public ProviderConfig shorthand(String model) {
        return new ProviderConfig("models.\"dummy::" + model + "\".providers.dummy", "dummy", "dummy", null, model,
                ApiKeyLocation.NONE, Map.of(), null, Timeouts.NONE, null, null);
    }
}
