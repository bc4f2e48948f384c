package dev.budgateway.providers.gemini;

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

/** Gemini on Google AI Studio, as {@code google_ai_studio_gemini} (TensorZero's name) or {@code gemini}. */
public record GeminiType(String name) implements ProviderType {

    public static final String DEFAULT_API_BASE = "https://generativelanguage.googleapis.com/v1beta";

    @Override
    public Set<ApiEndpoint> defaultEndpoints() {
        return Set.of(ApiEndpoint.CHAT);
    }

    @Override
    public ApiKeyLocation defaultKeyLocation() {
        return new ApiKeyLocation.Env("GOOGLE_AI_STUDIO_API_KEY");
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, UpstreamClient upstream, Function<String, String> env,
            List<ConfigProblem> problems) {
        if (config.modelName() == null) {
            problems.add(new ConfigProblem(config.path() + ".model_name", "missing required key for type \"" + name
                    + "\""));
            return null;
        }
        URI uri = OpenAiCompatibleType.parseBase(config.apiBase() != null ? config.apiBase() : DEFAULT_API_BASE,
                config.path() + ".api_base", problems);
        if (uri == null) {
            return null;
        }
        return new HttpProvider(config, new GeminiProtocol(config, OpenAiCompatibleType.basePath(uri), apiKey),
                upstream.endpoint(uri), upstream.globalTimeoutMs());
    }

    @Override
    public ProviderConfig shorthand(String model) {
        return new ProviderConfig("models.\"" + name + "::" + model + "\".providers." + name, name, name,
                DEFAULT_API_BASE, model, defaultKeyLocation(), Map.of(), null, Timeouts.NONE, null);
    }
}
