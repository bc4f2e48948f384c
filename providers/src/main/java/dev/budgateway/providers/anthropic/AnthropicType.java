package dev.budgateway.providers.anthropic;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderType;
import dev.budgateway.providers.UpstreamClient;
import dev.budgateway.providers.http.HttpProvider;
import dev.budgateway.providers.openai.OpenAiCompatibleType;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The {@code anthropic} type: Claude models over the Messages API. */
public final class AnthropicType implements ProviderType {

    public static final String DEFAULT_API_BASE = "https://api.anthropic.com/v1";

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public Set<ApiEndpoint> defaultEndpoints() {
        return Set.of(ApiEndpoint.CHAT);
    }

    @Override
    public ApiKeyLocation defaultKeyLocation() {
        return new ApiKeyLocation.Env("ANTHROPIC_API_KEY");
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, UpstreamClient upstream, Function<String, String> env,
            List<ConfigProblem> problems) {
        if (config.modelName() == null) {
            problems.add(new ConfigProblem(config.path() + ".model_name", "missing required key for type \"anthropic\""));
            return null;
        }
        URI uri = OpenAiCompatibleType.parseBase(config.apiBase() != null ? config.apiBase() : DEFAULT_API_BASE,
                config.path() + ".api_base", problems);
        if (uri == null) {
            return null;
        }
        return new HttpProvider(config, new AnthropicProtocol(config, OpenAiCompatibleType.basePath(uri), apiKey),
                upstream.endpoint(uri), upstream.globalTimeoutMs());
    }

    @Override
    public ProviderConfig shorthand(String model) {
        return new ProviderConfig("models.\"anthropic::" + model + "\".providers.anthropic", "anthropic", "anthropic",
                DEFAULT_API_BASE, model, defaultKeyLocation(), Map.of(), null, Timeouts.NONE, null);
    }
}
