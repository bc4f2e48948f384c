package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * One {@code [models.M.providers.P]} table.
 *
 * @param path the key path, e.g. {@code models.gpt.providers.openai}, for error messages
 * @param apiBase the base URL up to and including {@code /v1}, or {@code null} for the type's default
 * @param apiKeyLocation where the key comes from, or {@code null} for the type's default
 * @param extraBody merged into every request body: a table merged key by key, or a list of
 *     {@code {pointer, value}} / {@code {pointer, delete = true}} edits as in TensorZero; may be {@code null}
 * @param policy retries, weight, replicas, health checks and breakers
 * @param options the keys only this provider's type knows (Azure's {@code deployment_id}, Bedrock's
 *     {@code region}, ...), checked by the type; do not modify
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
        Timeouts timeouts,
        ProviderPolicy policy,
        ObjectNode options) {

    /** The keys every provider table may have, whatever its type. */
    public static final Set<String> COMMON_KEYS = Set.of(
            "type", "api_base", "model_name", "api_key_location", "extra_headers", "extra_body", "timeouts", "retries",
            "weight", "endpoints", "health_check_path", "health_check_interval", "circuit_breaker");

    public ProviderConfig {
        extraHeaders = Map.copyOf(extraHeaders);
        policy = policy == null ? ProviderPolicy.DEFAULT : policy;
        options = options == null ? JsonNodeFactory.instance.objectNode() : options;
    }

    /** A type-specific string option, or {@code null}. */
    public String option(String key) {
        JsonNode v = options.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
