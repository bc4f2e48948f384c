package dev.budgateway.providers.http;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderContext;
import dev.budgateway.providers.ProviderType;
import dev.budgateway.providers.UpstreamUrls;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hosted provider type that serves chat by translation (Anthropic, Gemini): a default {@code api_base},
 * a key variable, a required {@code model_name}, and a shorthand {@code name::model}.
 */
public record ChatOnlyType(String name, String defaultApiBase, String keyVariable, Protocols protocols)
        implements ProviderType {

    /** Makes the protocol of one provider table. */
    @FunctionalInterface
    public interface Protocols {
        UpstreamProtocol create(ProviderConfig config, String apiKey);
    }

    @Override
    public Set<ApiEndpoint> defaultEndpoints() {
        return Set.of(ApiEndpoint.CHAT);
    }

    @Override
    public ApiKeyLocation defaultKeyLocation() {
        return new ApiKeyLocation.Env(keyVariable);
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, ProviderContext context, List<ConfigProblem> problems) {
        String model = UpstreamUrls.requireModelName(config, name, problems);
        URI uri = UpstreamUrls.apiBase(config, defaultApiBase, problems);
        if (uri == null || model == null) {
            return null;
        }
        return HttpProvider.create(config, protocols.create(config, apiKey), uri, context, problems);
    }

    @Override
    public ProviderConfig shorthand(String model) {
        return new ProviderConfig("models.\"" + name + "::" + model + "\".providers." + name, name, name,
                defaultApiBase, model, defaultKeyLocation(), Map.of(), null, Timeouts.NONE, null, null);
    }
}
