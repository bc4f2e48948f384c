package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ConfigProblem;
import java.util.List;
import java.util.Set;

/**
 * A model the control plane published: the value of {@code model_table:<endpoint_id>} in Redis,
 * {@code {"<endpoint_id>": {routing, providers, endpoints, api_key, ...}}}. Its model is read exactly as a
 * {@code [models.X]} table of the file, so it routes, falls back and balances the same way; providers may
 * name the model's secret with {@code api_key_location = "dynamic::store_<endpoint_id>"}.
 *
 * @param model the model, named by its endpoint id; {@code null} when {@link #problems} is not empty
 * @param encryptedKey the model-level {@code api_key} as written (RSA-encrypted by budapp), or {@code null}
 * @param policy the fields later filters read ({@code pricing}, {@code inference_cost}, {@code rate_limits},
 *     {@code guardrail_profile}), as written
 * @param problems why the record cannot be served, by key path (never with values)
 */
public record ModelTable(ModelConfig model, String encryptedKey, ObjectNode policy, List<ConfigProblem> problems) {

    /** The prefix of the Redis keys. */
    public static final String PREFIX = "model_table:";
    private static final Set<String> POLICY_KEYS = Set.of("pricing", "inference_cost", "rate_limits",
            "guardrail_profile");

    public ModelTable {
        problems = List.copyOf(problems);
    }

    /** The credential name a provider of this model gives its secret with. */
    public static String storeName(String endpointId) {
        return "store_" + endpointId;
    }

    /** budapp writes absent optional fields as JSON null; the file form has no null, so they are dropped. */
    private static void withoutNulls(ObjectNode table) {
        table.properties().removeIf(e -> e.getValue().isNull());
        table.forEach(v -> {
            if (v instanceof ObjectNode o) {
                withoutNulls(o);
            }
        });
    }

    /** Reads the record of {@code endpointId}; problems are collected, never thrown. */
    public static ModelTable read(String endpointId, JsonNode record) {
        ConfigReader r = new ConfigReader().withDynamicCredentials();
        String path = PREFIX + endpointId;
        if (!(record instanceof ObjectNode outer) || outer.size() != 1 || !outer.has(endpointId)) {
            r.problem(path, "expected an object with one key, the endpoint id");
            return new ModelTable(null, null, null, r.problems());
        }
        JsonNode node = outer.get(endpointId).deepCopy();
        if (!(node instanceof ObjectNode table)) {
            r.problem(path, "expected the model as an object");
            return new ModelTable(null, null, null, r.problems());
        }
        String key = null;
        JsonNode apiKey = table.remove("api_key");
        if (apiKey != null && !apiKey.isNull()) {
            if (!apiKey.isTextual()) {
                r.problem(path + ".api_key", "expected a string");
            } else {
                key = apiKey.asText();
            }
        }
        ObjectNode policy = table.objectNode();
        for (String k : POLICY_KEYS) {
            JsonNode v = table.remove(k);
            if (v != null && !v.isNull()) {
                policy.set(k, v);
            }
        }
        withoutNulls(table);
        ModelConfig model = ModelsSection.readModel("model_table", endpointId, table, r);
        return new ModelTable(r.problems().isEmpty() ? model : null, key, policy, r.problems());
    }
}
