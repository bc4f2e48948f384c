package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One {@code [models.M.providers.P]} table.
 *
 * @param path the key path, e.g. {@code models.gpt.providers.openai}, for error messages
 * @param apiBase the base URL up to and including {@code /v1}, or {@code null} for the type's default
 * @param apiKeyLocation where the key comes from, or {@code null} for the type's default
 * @param extraBody merged into every request body: a table merged key by key, or a list of
 *     {@code {pointer, value}} / {@code {pointer, delete = true}} edits as in TensorZero; may be {@code null}
 */
public record ProviderConfig(
        String path,
        String name,
        String type,
        String apiBase,
        String modelName,
        ApiKeyLocation apiKeyLocation,
        Map<String, String> extraHeaders,
        JsonNode extraBody,
        Timeouts timeouts) {

    public ProviderConfig {
        extraHeaders = Map.copyOf(extraHeaders);
    }
}
