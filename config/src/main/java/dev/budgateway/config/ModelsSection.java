package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ApiEndpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code [models]}, {@code [embedding_models]} and {@code [[fallback_chains]]}: the models, their routing and
 * their fallbacks, with the fallback graph checked whole.
 */
final class ModelsSection {

    /** Models in one fallback chain, the first included. */
    static final int MAX_FALLBACK_DEPTH = 16;
    private static final Set<String> MODEL_KEYS = Set.of("routing", "providers", "endpoints", "timeouts",
            "fallback_models", "retries", "retry_config", "load_balancing");

    private ModelsSection() {}

    /** Every model of the file, by name in declaration order, with fallbacks checked. */
    static Map<String, ModelConfig> read(JsonNode root, ConfigReader r) {
        Map<String, ModelConfig> models = new LinkedHashMap<>();
        ObjectNode modelsTable = r.table(root, "models", "", false);
        if (modelsTable != null) {
            modelsTable.properties().forEach(e -> {
                ModelConfig m = readModel("models", e.getKey(), e.getValue(), r);
                if (m != null) {
                    models.put(e.getKey(), m);
                }
            });
        }
        readEmbeddingModels(root, models, r);
        readFallbackChains(root, models, r);
        checkFallbackModels(models, r);
        return models;
    }

    static void readEmbeddingModels(JsonNode root, Map<String, ModelConfig> models, ConfigReader r) {
        ObjectNode table = r.table(root, "embedding_models", "", false);
        if (table == null) {
            return;
        }
        table.properties().forEach(e -> {
            String path = ConfigReader.join("embedding_models", e.getKey());
            if (models.containsKey(e.getKey())) {
                r.problem(path, "a model named '" + e.getKey() + "' is in [models] too");
                return;
            }
            if (e.getValue() instanceof ObjectNode m && !m.has("endpoints")) {
                m.putArray("endpoints").add(ApiEndpoint.EMBEDDING.configName());
            }
            ModelConfig m = readModel("embedding_models", e.getKey(), e.getValue(), r);
            if (m != null) {
                models.put(e.getKey(), m);
            }
        });
    }

    static ModelConfig readModel(String section, String name, JsonNode node, ConfigReader r) {
        String path = ConfigReader.join(section, name);
        if (!node.isObject()) {
            r.problem(path, "expected a table, found " + ConfigReader.describe(node));
            return null;
        }
        RustCompat.model((ObjectNode) node, name, path, r);
        if (name.contains("::")) {
            r.problem(path, "model names may not contain '::' (reserved for shorthands like openai::gpt-4o)");
        }
        r.onlyKeys((ObjectNode) node, path, MODEL_KEYS);
        List<String> routing = r.strings(node, "routing", path, true);
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        ObjectNode providersTable = r.table(node, "providers", path, true);
        if (providersTable != null) {
            providersTable.properties().forEach(e -> {
                ProviderConfig p = ProviderSection.readProvider(ConfigReader.join(path + ".providers", e.getKey()),
                        e.getKey(), e.getValue(), r);
                if (p != null) {
                    providers.put(e.getKey(), p);
                }
            });
        }
        if (routing != null) {
            if (routing.isEmpty()) {
                r.problem(path + ".routing", "must name at least one provider");
            }
            Set<String> seen = new LinkedHashSet<>();
            for (int i = 0; i < routing.size(); i++) {
                String p = routing.get(i);
                if (!seen.add(p)) {
                    r.problem(path + ".routing[" + i + "]", "provider '" + p + "' is listed twice");
                } else if (providersTable != null && !providersTable.has(p)) {
                    r.problem(path + ".routing[" + i + "]", "no provider named '" + p + "' in [" + path
                            + ".providers] (have: " + String.join(", ", (Iterable<String>) providersTable::fieldNames)
                            + ")");
                }
            }
        }
        Set<ApiEndpoint> endpoints = null;
        List<String> endpointNames = r.strings(node, "endpoints", path, false);
        if (endpointNames != null) {
            endpoints = new LinkedHashSet<>();
            for (int i = 0; i < endpointNames.size(); i++) {
                ApiEndpoint e = ApiEndpoint.fromConfigName(endpointNames.get(i));
                if (e == null && RustCompat.UNSERVED_ENDPOINTS.contains(endpointNames.get(i))) {
                    r.notice(path + ".endpoints[" + i + "]", "'" + endpointNames.get(i) + "' is not served yet: "
                            + "ignored");
                } else if (e == null) {
                    List<String> known = new ArrayList<>();
                    for (ApiEndpoint k : ApiEndpoint.values()) {
                        if (k.isCapability()) {
                            known.add(k.configName());
                        }
                    }
                    r.problem(path + ".endpoints[" + i + "]", "unknown endpoint '" + endpointNames.get(i) + "' (known: "
                            + String.join(", ", known) + ")");
                } else {
                    endpoints.add(e);
                }
            }
        }
        Timeouts timeouts = r.timeouts(node, path);
        if (timeouts.streamingTotalMs() != null) {
            r.problem(path + ".timeouts.streaming.total_ms", "not supported for a whole model yet; set it on each "
                    + "provider (models.M.providers.P.timeouts)");
        }
        List<String> fallbackModels = r.strings(node, "fallback_models", path, false);
        if (node.has("retries") && node.has("retry_config")) {
            r.problem(path + ".retry_config", "give either retries or retry_config (the same thing), not both");
        }
        RetryPolicy retries = r.retries(node, node.has("retry_config") ? "retry_config" : "retries", path);
        LoadBalancing balancing = LoadBalancing.ORDERED;
        String balancingName = r.string(node, "load_balancing", path, false);
        if (balancingName != null) {
            balancing = LoadBalancing.fromConfigName(balancingName);
            if (balancing == null) {
                r.problem(path + ".load_balancing", "unknown strategy '" + balancingName + "' (known: ordered, "
                        + "round_robin, weighted, least_connections, latency)");
                balancing = LoadBalancing.ORDERED;
            }
        }
        return new ModelConfig(name, routing == null ? List.of() : routing, providers, endpoints, timeouts,
                fallbackModels == null ? List.of() : fallbackModels, retries == null ? RetryPolicy.NONE : retries,
                balancing);
    }

    /** {@code [[fallback_chains]] primary = "m", fallbacks = [...]}: the seeds' form of {@code fallback_models}. */
    static void readFallbackChains(JsonNode root, Map<String, ModelConfig> models, ConfigReader r) {
        for (FallbackChain chain : FallbackChain.read(root.get("fallback_chains"), r)) {
            ModelConfig m = models.get(chain.primary());
            if (m == null) {
                r.problem(chain.path() + ".primary", "no model named '" + chain.primary() + "' in [models]");
            } else if (!m.fallbackModels().isEmpty()) {
                r.problem(chain.path() + ".primary", "model '" + chain.primary() + "' already has fallback_models; "
                        + "give its fallbacks in one place");
            } else {
                models.put(chain.primary(), m.withFallbackModels(chain.fallbacks()));
            }
        }
    }

    /** Every fallback model exists, and no chain of fallbacks leads back to where it started. */
    static void checkFallbackModels(Map<String, ModelConfig> models, ConfigReader r) {
        for (ModelConfig m : models.values()) {
            for (int i = 0; i < m.fallbackModels().size(); i++) {
                String f = m.fallbackModels().get(i);
                if (!models.containsKey(f)) {
                    r.problem(ConfigReader.join("models", m.name()) + ".fallback_models[" + i + "]",
                            "no model named '" + f + "' in [models]");
                }
            }
        }
        checkFallbackGraph(models, r);
    }

    /**
     * Cycles and depth of the fallback graph, walked once without recursion (a config may chain thousands
     * of models): a cycle names its models ({@code x → y → x}); a chain deeper than
     * {@link #MAX_FALLBACK_DEPTH} models is refused, since every request on it plans all of them.
     */
    static void checkFallbackGraph(Map<String, ModelConfig> models, ConfigReader r) {
        Map<String, Integer> depth = new java.util.HashMap<>(); // models done: the longest chain from each
        Set<String> reported = new LinkedHashSet<>();
        for (String start : models.keySet()) {
            if (depth.containsKey(start)) {
                continue;
            }
            java.util.Deque<String> path = new java.util.ArrayDeque<>();
            java.util.Deque<java.util.Iterator<String>> next = new java.util.ArrayDeque<>();
            Set<String> onPath = new java.util.HashSet<>();
            path.addLast(start);
            onPath.add(start);
            next.addLast(models.get(start).fallbackModels().iterator());
            while (!path.isEmpty()) {
                java.util.Iterator<String> it = next.peekLast();
                if (it.hasNext()) {
                    String f = it.next();
                    if (!models.containsKey(f) || depth.containsKey(f)) {
                        continue;
                    }
                    if (onPath.contains(f)) {
                        List<String> cycle = new ArrayList<>(path);
                        cycle = new ArrayList<>(cycle.subList(cycle.indexOf(f), cycle.size()));
                        cycle.add(f);
                        if (reported.add(new java.util.TreeSet<>(cycle).toString())) {
                            r.problem(ConfigReader.join("models", cycle.get(0)) + ".fallback_models",
                                    "fallback models form a cycle: " + String.join(" → ", cycle));
                        }
                        continue;
                    }
                    path.addLast(f);
                    onPath.add(f);
                    next.addLast(models.get(f).fallbackModels().iterator());
                } else {
                    String done = path.removeLast();
                    next.removeLast();
                    onPath.remove(done);
                    int d = 1;
                    for (String f : models.get(done).fallbackModels()) {
                        d = Math.max(d, 1 + depth.getOrDefault(f, 0));
                    }
                    depth.put(done, d);
                }
            }
        }
        // Reported where each too-long chain starts (a model no other falls back to), not at every link.
        Set<String> fallbacks = new java.util.HashSet<>();
        models.values().forEach(m -> fallbacks.addAll(m.fallbackModels()));
        for (String model : models.keySet()) {
            int d = depth.getOrDefault(model, 0);
            if (d > MAX_FALLBACK_DEPTH && !fallbacks.contains(model)) {
                r.problem(ConfigReader.join("models", model) + ".fallback_models", "the fallback chain from here is "
                        + d + " models deep; at most " + MAX_FALLBACK_DEPTH + " are allowed");
            }
        }
    }
}
