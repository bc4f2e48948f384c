package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provider-centric dialect of the seeds' example config, mapped onto models and routes before the file
 * is read:
 *
 * <ul>
 *   <li>{@code [server] host, port} is {@code [gateway] bind_address = "host:port"};
 *   <li>each {@code [[providers]]} entry ({@code name}, {@code type}, {@code base_url}, {@code api_key_env},
 *       {@code models}) serves each of its models: model {@code M} gets provider {@code name} in its routing,
 *       with {@code model_name = M}, {@code api_base = base_url} ({@code /v1} added when the URL has no
 *       path) and {@code api_key_location = "env::<api_key_env>"} (or {@code none}); other keys go to the
 *       provider as they are. A model several providers list is routed to them in file order;
 *   <li>{@code [[fallback_chains]] primary, fallbacks} name providers here: each model of the primary is
 *       routed, after it, to each fallback provider, asking it for the same model name;
 *   <li>{@code [routing] default_timeout_ms} is each model's non-streaming total and streaming first-token
 *       timeout, {@code max_retries} its {@code retries.num_retries};
 *   <li>{@code [auth] enabled = true} puts the {@code auth} filter at the front of the default chain, as
 *       {@code [gateway.authentication]} does; {@code enabled = false} serves every caller.
 * </ul>
 */
final class ProviderDialect {

    private static final Set<String> OWN_PROVIDER_KEYS = Set.of("name", "type", "base_url", "api_key_env",
            "models");

    private ProviderDialect() {}

    /** Whether {@code root} is written in this dialect: a top-level {@code [[providers]]} or {@code [server]}. */
    static boolean appliesTo(ObjectNode root) {
        return root.path("providers").isArray() || root.has("server");
    }

    /** Rewrites {@code root} into the gateway's own form, reporting problems with the dialect's key paths. */
    static void apply(ObjectNode root, ConfigReader r) {
        server(root, r);
        auth(root, r);
        Map<String, ObjectNode> providers = providers(root, r);
        ObjectNode models = root.has("models") && root.get("models").isObject() ? (ObjectNode) root.get("models")
                : root.putObject("models");
        Map<String, ObjectNode> served = new LinkedHashMap<>();
        providers.forEach((name, p) -> {
            for (JsonNode m : p.path("models")) {
                String model = m.asText();
                if (models.has(model) && !served.containsKey(model)) {
                    r.problem("providers." + name + ".models", "'" + model + "' is also a [models] table");
                    continue;
                }
                ObjectNode table = served.computeIfAbsent(model, k -> models.putObject(k));
                route(table, name, p, model);
            }
        });
        fallbackChains(root, providers, served, r);
        routingDefaults(root, served.values(), r);
    }

    private static void server(ObjectNode root, ConfigReader r) {
        ObjectNode server = r.table(root, "server", "", false);
        root.remove("server");
        if (server == null) {
            return;
        }
        r.onlyKeys(server, "server", Set.of("host", "port"));
        String host = r.string(server, "host", "server", false);
        Long port = r.longInRange(server, "port", "server", 0, 65535);
        ObjectNode gateway = root.has("gateway") && root.get("gateway").isObject() ? (ObjectNode) root.get("gateway")
                : root.putObject("gateway");
        if (gateway.has("bind_address")) {
            r.problem("server", "give the address once: [server] or [gateway] bind_address");
            return;
        }
        gateway.put("bind_address", (host == null ? "0.0.0.0" : host) + ":" + (port == null ? 3000 : port));
    }

    private static void auth(ObjectNode root, ConfigReader r) {
        ObjectNode auth = r.table(root, "auth", "", false);
        root.remove("auth");
        if (auth == null) {
            return;
        }
        r.onlyKeys(auth, "auth", Set.of("enabled", "rsa_public_key_path"));
        Boolean enabled = r.bool(auth, "enabled", "auth");
        r.authentication(enabled == null || enabled);
        if (auth.has("rsa_public_key_path")) {
            r.notice("auth.rsa_public_key_path", "not used: the gateway reads the control plane's secrets with the "
                    + "private key (TENSORZERO_RSA_PRIVATE_KEY_PATH)");
        }
        if (Boolean.FALSE.equals(enabled)) {
            r.notice("auth", "authentication disabled: every caller is served");
        }
    }

    /** The {@code [[providers]]} entries by name, each checked; removed from {@code root}. */
    private static Map<String, ObjectNode> providers(ObjectNode root, ConfigReader r) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        JsonNode list = root.remove("providers");
        if (list == null) {
            return out;
        }
        if (!list.isArray()) {
            r.problem("providers", "expected a list of tables ([[providers]]), found " + ConfigReader.describe(list));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            String path = "providers[" + i + "]";
            JsonNode p = list.get(i);
            if (!p.isObject()) {
                r.problem(path, "expected a table, found " + ConfigReader.describe(p));
                continue;
            }
            String name = r.string(p, "name", path, true);
            r.string(p, "type", path, true);
            String url = r.string(p, "base_url", path, false);
            if (url != null && !(url.startsWith("http://") || url.startsWith("https://"))) {
                r.problem(path + ".base_url", "expected an http:// or https:// URL");
                continue;
            }
            List<String> models = r.strings(p, "models", path, true);
            if (models != null && models.isEmpty()) {
                r.problem(path + ".models", "list at least one model this provider serves");
            }
            if (name == null || models == null || models.isEmpty()) {
                continue;
            }
            if (out.putIfAbsent(name, (ObjectNode) p) != null) {
                r.problem(path + ".name", "another provider is named '" + name + "'");
            }
        }
        return out;
    }

    /** Adds provider {@code name} to {@code model}'s routing, asking it for {@code upstreamModel}. */
    private static void route(ObjectNode model, String name, ObjectNode p, String upstreamModel) {
        ArrayNode routing = model.withArray("routing");
        for (JsonNode n : routing) {
            if (n.asText().equals(name)) {
                return;
            }
        }
        routing.add(name);
        ObjectNode provider = model.withObject("providers").putObject(name);
        p.properties().forEach(e -> {
            if (!OWN_PROVIDER_KEYS.contains(e.getKey())) {
                provider.set(e.getKey(), e.getValue());
            }
        });
        provider.put("type", p.path("type").asText());
        provider.put("model_name", upstreamModel);
        if (p.hasNonNull("base_url")) {
            provider.put("api_base", apiBase(p.get("base_url").asText()));
        }
        provider.put("api_key_location", p.hasNonNull("api_key_env") ? "env::" + p.get("api_key_env").asText()
                : "none");
    }

    /** The seeds write the server's root; the gateway's {@code api_base} goes up to {@code /v1}. */
    static String apiBase(String baseUrl) {
        String path;
        try {
            path = URI.create(baseUrl).getPath();
        } catch (IllegalArgumentException e) {
            return baseUrl; // the provider's own check names it
        }
        if (path == null || path.isEmpty() || path.equals("/")) {
            return baseUrl.replaceAll("/+$", "") + "/v1";
        }
        return baseUrl;
    }

    private static void fallbackChains(ObjectNode root, Map<String, ObjectNode> providers,
            Map<String, ObjectNode> served, ConfigReader r) {
        for (FallbackChain chain : FallbackChain.read(root.remove("fallback_chains"), r)) {
            String path = chain.path();
            String primary = chain.primary();
            List<String> fallbacks = chain.fallbacks();
            if (!providers.containsKey(primary)) {
                r.problem(path + ".primary", "no [[providers]] entry is named '" + primary + "' (have: "
                        + String.join(", ", providers.keySet()) + ")");
                continue;
            }
            for (int j = 0; j < fallbacks.size(); j++) {
                if (!providers.containsKey(fallbacks.get(j))) {
                    r.problem(path + ".fallbacks[" + j + "]", "no [[providers]] entry is named '" + fallbacks.get(j)
                            + "'");
                }
            }
            for (JsonNode m : providers.get(primary).path("models")) {
                ObjectNode model = served.get(m.asText());
                for (String f : fallbacks) {
                    if (providers.containsKey(f) && model != null) {
                        route(model, f, providers.get(f), m.asText());
                    }
                }
            }
        }
    }

    private static void routingDefaults(ObjectNode root, Iterable<ObjectNode> models, ConfigReader r) {
        ObjectNode routing = r.table(root, "routing", "", false);
        root.remove("routing");
        if (routing == null) {
            return;
        }
        r.onlyKeys(routing, "routing", Set.of("default_timeout_ms", "max_retries"));
        Long timeout = r.longInRange(routing, "default_timeout_ms", "routing", 1, ConfigReader.DAY_MS);
        Long retries = r.longInRange(routing, "max_retries", "routing", 0, RetryPolicy.MAX_RETRIES);
        for (ObjectNode m : models) {
            if (timeout != null && !m.has("timeouts")) {
                ObjectNode t = m.putObject("timeouts");
                t.putObject("non_streaming").put("total_ms", timeout);
                t.putObject("streaming").put("ttft_ms", timeout);
            }
            if (retries != null && !m.has("retries")) {
                m.putObject("retries").put("num_retries", retries);
            }
        }
    }
}
