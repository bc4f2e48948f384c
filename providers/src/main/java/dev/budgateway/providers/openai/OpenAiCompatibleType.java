package dev.budgateway.providers.openai;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderType;
import dev.budgateway.providers.UpstreamClient;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provider type that speaks OpenAI's API, with its default {@code api_base} and key location.
 * Self-hosted engines (vLLM, SGLang) have no default base and need no key.
 */
public record OpenAiCompatibleType(String name, String defaultApiBase, ApiKeyLocation defaultKey)
        implements ProviderType {

    public static final OpenAiCompatibleType OPENAI = new OpenAiCompatibleType("openai", "https://api.openai.com/v1",
            new ApiKeyLocation.Env("OPENAI_API_KEY"));
    public static final OpenAiCompatibleType VLLM = new OpenAiCompatibleType("vllm", null, ApiKeyLocation.NONE);
    public static final OpenAiCompatibleType SGLANG = new OpenAiCompatibleType("sglang", null, ApiKeyLocation.NONE);

    @Override
    public Set<ApiEndpoint> defaultEndpoints() {
        return Set.of(ApiEndpoint.values());
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, UpstreamClient upstream, List<ConfigProblem> problems) {
        if (config.modelName() == null) {
            problems.add(new ConfigProblem(config.path() + ".model_name", "missing required key for type \"" + name
                    + "\""));
        }
        String base = config.apiBase() != null ? config.apiBase() : defaultApiBase;
        if (base == null) {
            problems.add(new ConfigProblem(config.path() + ".api_base", "missing required key for type \"" + name
                    + "\" (the server's base URL up to and including /v1)"));
            return null;
        }
        URI uri;
        try {
            uri = URI.create(base);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(config.path() + ".api_base", "not a valid URL: \"" + base + "\""));
            return null;
        }
        if (config.modelName() == null) {
            return null;
        }
        return new OpenAiProvider(config, uri, apiKey, upstream);
    }

    @Override
    public ProviderConfig shorthand(String model) {
        if (defaultApiBase == null) {
            return null;
        }
        return new ProviderConfig("models.\"" + name + "::" + model + "\".providers." + name, name, name,
                defaultApiBase, model, defaultKey, Map.of(), null, Timeouts.NONE);
    }
}
