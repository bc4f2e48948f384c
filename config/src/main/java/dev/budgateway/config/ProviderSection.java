package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One {@code [models.X.providers.Y]} table: a provider of a model, and its policy. */
final class ProviderSection {

    private ProviderSection() {}

    static ProviderConfig readProvider(String path, String name, JsonNode node, ConfigReader r) {
        if (!node.isObject()) {
            r.problem(path, "expected a table, found " + ConfigReader.describe(node));
            return null;
        }
        // Keys beyond the common ones belong to the provider's type, which checks them.
        ObjectNode options = ((ObjectNode) node).objectNode();
        node.properties().forEach(e -> {
            if (!ProviderConfig.COMMON_KEYS.contains(e.getKey())) {
                options.set(e.getKey(), e.getValue());
            }
        });
        String type = r.string(node, "type", path, true);
        String apiBase = r.string(node, "api_base", path, false);
        if (apiBase != null && !(apiBase.startsWith("http://") || apiBase.startsWith("https://"))) {
            r.problem(path + ".api_base", "expected an http:// or https:// URL, found \""
                    + ConfigText.printable(apiBase) + "\"");
        }
        String modelName = r.string(node, "model_name", path, false);
        ApiKeyLocation keyLocation = null;
        String keyText = r.string(node, "api_key_location", path, false);
        if (keyText != null && (keyText.startsWith("dynamic::") && !r.dynamicCredentials() || keyText.equals("sdk"))) {
            // The Rust gateway's: a key the client sends per request, or the cloud SDK's own credentials.
            r.notice(path + ".api_key_location", keyText.equals("sdk")
                    ? "'sdk' is taken as no key: Bedrock reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself"
                    : "dynamic credentials are not supported yet: requests to this provider go without a key");
            keyLocation = ApiKeyLocation.NONE;
        } else if (keyText != null) {
            keyLocation = ApiKeyLocation.parse(keyText);
            if (keyLocation == null) {
                r.problem(path + ".api_key_location",
                        "expected env::VAR, path::FILE, path_from_env::VAR or none, found \""
                        + ConfigText.printable(keyText) + "\"");
            }
        }
        Map<String, String> headers = r.stringMap(node, "extra_headers", path);
        JsonNode extraBody = node.get("extra_body");
        if (extraBody != null) {
            checkExtraBody(extraBody, path + ".extra_body", r);
        }
        Timeouts timeouts = r.timeouts(node, path);
        return new ProviderConfig(path, name, type, apiBase, modelName, keyLocation, headers, extraBody, timeouts,
                readPolicy(path, node, r), options);
    }

    static ProviderPolicy readPolicy(String path, JsonNode node, ConfigReader r) {
        ProviderPolicy d = ProviderPolicy.DEFAULT;
        RetryPolicy retries = r.retries(node, "retries", path);
        Long weight = r.positiveLong(node, "weight", path);
        List<UpstreamEndpointConfig> endpoints = new ArrayList<>();
        JsonNode list = node.get("endpoints");
        if (list != null) {
            if (!list.isArray() || list.isEmpty()) {
                r.problem(path + ".endpoints", "expected a non-empty list of { url, weight } tables, found "
                        + ConfigReader.describe(list));
            } else {
                for (int i = 0; i < list.size(); i++) {
                    String ep = path + ".endpoints[" + i + "]";
                    JsonNode e = list.get(i);
                    if (!e.isObject()) {
                        r.problem(ep, "expected a table { url, weight }, found " + ConfigReader.describe(e));
                        continue;
                    }
                    r.onlyKeys((ObjectNode) e, ep, Set.of("url", "weight"));
                    String url = r.string(e, "url", ep, true);
                    Long w = r.positiveLong(e, "weight", ep);
                    if (url != null && !(url.startsWith("http://") || url.startsWith("https://"))) {
                        r.problem(ep + ".url", "expected an http:// or https:// URL, found \""
                                + ConfigText.printable(url) + "\"");
                    } else if (url != null) {
                        endpoints.add(new UpstreamEndpointConfig(url, w == null ? 1 : w.intValue()));
                    }
                }
            }
            if (node.has("api_base")) {
                r.problem(path + ".endpoints", "give either api_base or endpoints, not both");
            }
        }
        String healthPath = r.string(node, "health_check_path", path, false);
        if (healthPath != null && !healthPath.startsWith("/")) {
            r.problem(path + ".health_check_path", "expected a path starting with /, found \""
                    + ConfigText.printable(healthPath) + "\"");
        }
        Double interval = r.positiveNumber(node, "health_check_interval", path);
        if (interval != null && healthPath == null) {
            r.problem(path + ".health_check_interval", "set health_check_path too, or remove this");
        }
        return new ProviderPolicy(retries == null ? d.retries() : retries, weight == null ? 1 : weight.intValue(),
                endpoints, healthPath, interval == null ? d.healthCheckIntervalMs() : Math.round(interval * 1000),
                r.circuitBreaker(node, "circuit_breaker", path));
    }

    static void checkExtraBody(JsonNode extraBody, String path, ConfigReader r) {
        if (extraBody.isObject()) {
            return;
        }
        if (!extraBody.isArray()) {
            r.problem(path, "expected a table or a list of {pointer, value} edits, found " + ConfigReader.describe(
                    extraBody));
            return;
        }
        for (int i = 0; i < extraBody.size(); i++) {
            JsonNode edit = extraBody.get(i);
            String p = path + "[" + i + "]";
            if (!edit.isObject()) {
                r.problem(p, "expected {pointer, value} or {pointer, delete = true}");
                continue;
            }
            r.onlyKeys((ObjectNode) edit, p, Set.of("pointer", "value", "delete"));
            String pointer = r.string(edit, "pointer", p, true);
            if (pointer != null && !pointer.startsWith("/")) {
                r.problem(p + ".pointer", "a JSON pointer starts with '/', found \""
                        + ConfigText.printable(pointer) + "\"");
            }
            if (edit.has("value") == edit.path("delete").asBoolean(false)) {
                r.problem(p, "give exactly one of value and delete = true");
            }
        }
    }
}
