package dev.budgateway.providers;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import java.util.List;
import java.util.Set;

/** A value of {@code type} in a provider table: validates the table and creates the provider. */
public interface ProviderType {

    /** The {@code type} value, also the shorthand prefix ({@code openai::gpt-4o}). */
    String name();

    /** What a model served by this type supports when its config does not say. */
    Set<ApiEndpoint> defaultEndpoints();

    /**
     * Creates the provider, or adds to {@code problems} (with key paths) and returns {@code null}.
     *
     * @param apiKey the resolved key, or {@code null} for none
     */
    Provider create(ProviderConfig config, String apiKey, ProviderContext context, List<ConfigProblem> problems);

    /** Where the key is when the config does not say ({@code api_key_location}). */
    default ApiKeyLocation defaultKeyLocation() {
        return ApiKeyLocation.NONE;
    }

    /** The keys of a provider table that only this type knows ({@code deployment_id}, {@code region}, ...). */
    default Set<String> optionKeys() {
        return Set.of();
    }

    /** The config a shorthand {@code name::model} stands for, or {@code null} if this type has no shorthand. */
    ProviderConfig shorthand(String model);
}
