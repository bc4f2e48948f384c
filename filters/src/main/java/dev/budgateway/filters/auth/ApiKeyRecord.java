package dev.budgateway.filters.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Json;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The value of {@code api_key:<sha256_hex("bud-" + key)>} as budapp writes it: the user-facing model names
 * the key may call, each with the endpoint it resolves to, and {@code __metadata__} naming the key, its user
 * and its project. Prompt grants ({@code prompt:<name>}, {@code prompt:<name>:v<N>}) carry the prompt ids.
 */
record ApiKeyRecord(Map<String, Grant> models, String apiKeyId, String userId, String projectId,
        dev.budgateway.plugins.spi.ModelGrants grants) {

    /** One granted name. */
    record Grant(String endpointId, String modelId, String projectId, String promptId, String promptVersionId,
            String version) {}

    static final String METADATA = "__metadata__";

    ApiKeyRecord {
        models = Map.copyOf(models);
    }

    ApiKeyRecord(Map<String, Grant> models, String apiKeyId, String userId, String projectId) {
        this(models, apiKeyId, userId, projectId, listed(models.keySet()));
    }

    /** What {@code /v1/models} lists: the granted names, without the {@code prompt:*} grants. */
    static dev.budgateway.plugins.spi.ModelGrants listed(java.util.Collection<String> names) {
        java.util.Set<String> out = new java.util.HashSet<>(names);
        out.removeIf(n -> n.startsWith("prompt:"));
        return new dev.budgateway.plugins.spi.ModelGrants(false, out);
    }

    /**
     * Parses a record.
     *
     * @throws IllegalArgumentException when it is not budapp's shape (the message never quotes the value)
     */
    static ApiKeyRecord parse(String value) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object of model names");
        }
        Map<String, Grant> models = new HashMap<>();
        root.properties().forEach(e -> {
            if (e.getKey().equals(METADATA)) {
                return;
            }
            JsonNode g = e.getValue();
            if (!g.isObject()) {
                throw new IllegalArgumentException("the grant of a model is not an object");
            }
            String endpoint = text(g, "endpoint_id");
            if (endpoint == null) {
                throw new IllegalArgumentException("a grant has no endpoint_id");
            }
            models.put(e.getKey(), new Grant(endpoint, text(g, "model_id"), text(g, "project_id"),
                    text(g, "prompt_id"), text(g, "prompt_version_id"), text(g, "version")));
        });
        JsonNode meta = root.path(METADATA);
        return new ApiKeyRecord(models, text(meta, "api_key_id"), text(meta, "user_id"),
                text(meta, "api_key_project_id"));
    }

    /** A string field, or {@code null}; ids written as numbers are taken as text. */
    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }
}
