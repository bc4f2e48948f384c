package dev.budgateway.providers.azure;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderContext;
import dev.budgateway.providers.ProviderType;
import dev.budgateway.providers.UpstreamUrls;
import dev.budgateway.providers.http.HttpProvider;
import dev.budgateway.providers.openai.OpenAiProtocol;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Azure OpenAI: OpenAI's protocol at {@code {endpoint}/openai/deployments/{deployment_id}/...?api-version=},
 * with the key in an {@code api-key} header. The deployment decides the model, so {@code model_name} is
 * optional (sent when given).
 */
public final class AzureType implements ProviderType {

    /** A GA version that has chat, embeddings, audio and images. */
    public static final String DEFAULT_API_VERSION = "2024-10-21";

    @Override
    public String name() {
        return "azure";
    }

    @Override
    public Set<ApiEndpoint> defaultEndpoints() {
        return Set.copyOf(EnumSet.of(ApiEndpoint.CHAT, ApiEndpoint.COMPLETIONS, ApiEndpoint.EMBEDDING,
                ApiEndpoint.AUDIO_TRANSCRIPTION, ApiEndpoint.AUDIO_TRANSLATION, ApiEndpoint.TEXT_TO_SPEECH,
                ApiEndpoint.IMAGE_GENERATION, ApiEndpoint.IMAGE_EDIT));
    }

    @Override
    public Set<String> optionKeys() {
        return Set.of("endpoint", "deployment_id", "api_version");
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, ProviderContext context, List<ConfigProblem> problems) {
        String endpoint = config.option("endpoint");
        if (endpoint == null) {
            endpoint = config.apiBase();
        }
        String deployment = config.option("deployment_id");
        if (endpoint == null) {
            problems.add(new ConfigProblem(config.path() + ".endpoint", "missing required key for type \"azure\" "
                    + "(the resource URL, e.g. https://my-resource.openai.azure.com)"));
        }
        if (deployment == null) {
            problems.add(new ConfigProblem(config.path() + ".deployment_id", "missing required key for type \"azure\""));
        }
        if (endpoint == null || deployment == null) {
            return null;
        }
        URI uri = UpstreamUrls.parse(endpoint, config.path() + ".endpoint", problems);
        if (uri == null) {
            return null;
        }
        String version = config.option("api_version") != null ? config.option("api_version") : DEFAULT_API_VERSION;
        String deploymentPath = "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8);
        String query = "?api-version=" + URLEncoder.encode(version, StandardCharsets.UTF_8);
        OpenAiProtocol protocol = new OpenAiProtocol(config, config.modelName(),
                (basePath, e) -> basePath + deploymentPath + e.path() + query,
                apiKey == null ? Map.of() : Map.of("api-key", apiKey), apiKey);
        return HttpProvider.create(config, protocol, uri, context, problems);
    }

    @Override
    public ProviderConfig shorthand(String model) {
        return null;
    }

    @Override
    public ApiKeyLocation defaultKeyLocation() {
        return new ApiKeyLocation.Env("AZURE_OPENAI_API_KEY");
    }
}
