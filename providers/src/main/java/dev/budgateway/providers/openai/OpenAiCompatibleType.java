package dev.budgateway.providers.openai;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderContext;
import dev.budgateway.providers.ProviderType;
import dev.budgateway.providers.UpstreamUrls;
import dev.budgateway.providers.http.HttpProvider;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provider type that speaks OpenAI's API, with its default {@code api_base} and key location.
 * Self-hosted engines (vLLM, SGLang, Ollama, ...) have no default base and need no key.
 */
public record OpenAiCompatibleType(String name, String defaultApiBase, ApiKeyLocation defaultKey,
        Set<ApiEndpoint> defaultEndpoints) implements ProviderType {

    /** The servers that continue a final assistant message on request ({@code continue_final_message}). */
    private static final Set<String> CONTINUES_FINAL_MESSAGE = Set.of("vllm", "sglang");

    private static final Set<ApiEndpoint> TEXT = Set.copyOf(EnumSet.of(ApiEndpoint.CHAT, ApiEndpoint.COMPLETIONS,
            ApiEndpoint.EMBEDDING));

    public static final OpenAiCompatibleType OPENAI = new OpenAiCompatibleType("openai", "https://api.openai.com/v1",
            new ApiKeyLocation.Env("OPENAI_API_KEY"), java.util.Arrays.stream(ApiEndpoint.values())
                    .filter(ApiEndpoint::isCapability).collect(java.util.stream.Collectors.toUnmodifiableSet()));

    /** Every OpenAI-compatible type, hosted ones first. */
    public static final List<OpenAiCompatibleType> ALL = List.of(
            OPENAI,
            hosted("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
            hosted("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
            hosted("anyscale", "https://api.endpoints.anyscale.com/v1", "ANYSCALE_API_KEY"),
            hosted("fireworks", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY"),
            hosted("mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
            hosted("deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
            hosted("xai", "https://api.x.ai/v1", "XAI_API_KEY"),
            hosted("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
            hosted("hyperbolic", "https://api.hyperbolic.xyz/v1", "HYPERBOLIC_API_KEY"),
            selfHosted("vllm"),
            selfHosted("sglang"),
            selfHosted("tgi"),
            selfHosted("local"),
            selfHosted("ollama"));

    private static OpenAiCompatibleType hosted(String name, String apiBase, String keyVariable) {
        return new OpenAiCompatibleType(name, apiBase, new ApiKeyLocation.Env(keyVariable), TEXT);
    }

    private static OpenAiCompatibleType selfHosted(String name) {
        return new OpenAiCompatibleType(name, null, ApiKeyLocation.NONE, TEXT);
    }

    @Override
    public ApiKeyLocation defaultKeyLocation() {
        return defaultKey;
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, ProviderContext context, List<ConfigProblem> problems) {
        UpstreamUrls.requireModelName(config, name, problems);
        String base = config.apiBase() != null ? config.apiBase() : !config.policy().endpoints().isEmpty()
                ? config.policy().endpoints().get(0).url() : defaultApiBase;
        if (base == null) {
            problems.add(new ConfigProblem(config.path() + ".api_base", "missing required key for type \"" + name
                    + "\" (the server's base URL up to and including /v1)"));
            return null;
        }
        URI uri = UpstreamUrls.parse(base, config.path() + ".api_base", problems);
        if (uri == null || config.modelName() == null) {
            return null;
        }
        OpenAiProtocol protocol = new OpenAiProtocol(config, config.modelName(), (basePath, e) -> basePath + e.path(),
                apiKey == null ? Map.of() : Map.of("authorization", "Bearer " + apiKey), apiKey,
                CONTINUES_FINAL_MESSAGE.contains(name));
        return HttpProvider.create(config, protocol, uri, context, problems);
    }

    @Override
    public ProviderConfig shorthand(String model) {
        if (defaultApiBase == null) {
            return null;
        }
        return new ProviderConfig("models.\"" + name + "::" + model + "\".providers." + name, name, name,
                defaultApiBase, model, defaultKey, Map.of(), null, Timeouts.NONE, null, null);
    }
}
