package dev.budgateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.FilterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the TOML config into immutable records. Structure is checked here (unknown keys, missing keys,
 * types, routing names); what a provider type or a filter type needs is checked by its factory.
 */
public final class ConfigLoader {

    private static final TomlMapper TOML = new TomlMapper();

    private static final Set<String> TOP_LEVEL = Set.of("gateway", "models", "embedding_models", "filters",
            "circuit_breaker", "fallback_chains");
    private static final Set<String> GATEWAY_KEYS = Set.of(
            "bind_address", "plugins_dir", "max_body_bytes", "event_loops", "global_outbound_http_timeout_ms",
            "connect_timeout_ms", "max_upload_bytes", "max_upstream_body_bytes", "max_upstream_stream_bytes",
            "max_upstream_event_bytes", "request_body_timeout_ms", "idle_timeout_ms", "shutdown_grace_period_ms",
            "metrics_port");
    /** Bodies and events are held in one byte array. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final long DAY_MS = 24L * 3600 * 1000;
    /** Models in one fallback chain, the first included. */
    static final int MAX_FALLBACK_DEPTH = 16;
    private static final Set<String> MODEL_KEYS = Set.of("routing", "providers", "endpoints", "timeouts",
            "fallback_models", "retries", "retry_config", "load_balancing");
    private static final Set<String> FILTER_RESERVED = Set.of("type", "name", "enabled", "on_error", "timeout_ms");

    /** The chain used when the file declares no {@code [[filters]]}. */
    public static final List<String> DEFAULT_CHAIN = List.of("routing", "fallback");

    private ConfigLoader() {}

    public static GatewayConfig load(Path file) throws ConfigException {
        return load(file, System::getenv);
    }

    /** Reads {@code file}, with {@code ${VAR}} taken from {@code env}. */
    public static GatewayConfig load(Path file, Function<String, String> env) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(text, env);
    }

    public static GatewayConfig parse(String toml, Function<String, String> env) throws ConfigException {
        JsonNode root;
        try {
            root = TOML.readTree(toml);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
            throw new ConfigException("", where + "invalid TOML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        ConfigReader r = new ConfigReader();
        EnvInterpolation.apply(root, "", env, r);
        RustCompat.topLevel((ObjectNode) root, r);
        r.onlyKeys((ObjectNode) root, "", TOP_LEVEL);

        GatewaySettings gateway = readGateway(root, env, r);
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
        CircuitBreakerConfig breaker = r.circuitBreaker(root, "circuit_breaker", "");
        boolean declared = root.has("filters");
        List<FilterSpec> filters = declared ? readFilters(root.get("filters"), r) : defaultFilters();
        TomlLines lines = TomlLines.scan(toml);
        if (!r.problems().isEmpty()) {
            throw new ConfigException(r.environment().scrub(lines.locate(r.problems())));
        }
        return new GatewayConfig(gateway, breaker == null ? CircuitBreakerConfig.DISABLED : breaker, models, filters,
                declared, lines, r.environment(), r.environment().scrub(lines.locate(r.notices())));
    }

    private static GatewaySettings readGateway(JsonNode root, Function<String, String> env, ConfigReader r) {
        ObjectNode g = r.table(root, "gateway", "", false);
        if (g == null) {
            g = JsonNodeFactory.instance.objectNode();
        }
        String metricsEnv = env.apply("METRICS_PORT");
        if (!g.has("metrics_port") && metricsEnv != null && !metricsEnv.isBlank()) {
            // The generic variable of the deployments the seeds describe; the file's key wins.
            try {
                g.put("metrics_port", Long.parseLong(metricsEnv.strip()));
            } catch (NumberFormatException e) {
                r.problem("METRICS_PORT", "expected a port number, found \"" + ConfigText.printable(metricsEnv) + "\"");
            }
        }
        return readGateway(g, r);
    }

    private static GatewaySettings readGateway(ObjectNode g, ConfigReader r) {
        GatewaySettings d = GatewaySettings.defaults();
        RustCompat.gateway(g, r);
        r.onlyKeys(g, "gateway", GATEWAY_KEYS);
        String bind = r.string(g, "bind_address", "gateway", false);
        if (bind != null && !validBindAddress(bind)) {
            r.problem("gateway.bind_address", "expected host:port with a port from 0 to 65535, found "
                    + ConfigReader.describe(g.get("bind_address")));
            bind = null;
        }
        String plugins = r.string(g, "plugins_dir", "gateway", false);
        Long maxBody = r.longInRange(g, "max_body_bytes", "gateway", 1, MAX_ARRAY);
        Long loops = r.longInRange(g, "event_loops", "gateway", 1, 256);
        Long global = r.longInRange(g, "global_outbound_http_timeout_ms", "gateway", 1, 7 * DAY_MS);
        Long connect = r.longInRange(g, "connect_timeout_ms", "gateway", 1, DAY_MS);
        Long maxUpload = r.longInRange(g, "max_upload_bytes", "gateway", 1, 1L << 40);
        UpstreamLimits dl = d.upstreamLimits();
        Long upBody = r.longInRange(g, "max_upstream_body_bytes", "gateway", 1, MAX_ARRAY);
        Long upStream = r.longInRange(g, "max_upstream_stream_bytes", "gateway", 0, Long.MAX_VALUE);
        Long upEvent = r.longInRange(g, "max_upstream_event_bytes", "gateway", 1, MAX_ARRAY);
        Long bodyTimeout = r.longInRange(g, "request_body_timeout_ms", "gateway", 1, DAY_MS);
        Long idle = r.longInRange(g, "idle_timeout_ms", "gateway", 1, DAY_MS);
        Long grace = r.longInRange(g, "shutdown_grace_period_ms", "gateway", 0, 3600_000);
        Long metricsPort = r.longInRange(g, "metrics_port", "gateway", 1, 65535);
        return new GatewaySettings(
                bind != null ? bind : d.bindAddress(),
                plugins != null ? Path.of(plugins) : d.pluginsDir(),
                maxBody != null ? maxBody : d.maxBodyBytes(),
                loops != null ? loops.intValue() : d.eventLoops(),
                global != null ? global : d.globalTimeoutMs(),
                connect != null ? connect : d.connectTimeoutMs(),
                maxUpload != null ? maxUpload : d.maxUploadBytes(),
                new UpstreamLimits(upBody != null ? upBody : dl.maxBodyBytes(),
                        upStream != null ? upStream : dl.maxStreamBytes(),
                        upEvent != null ? upEvent : dl.maxEventBytes()),
                bodyTimeout != null ? bodyTimeout : d.requestBodyTimeoutMs(),
                idle != null ? idle : d.idleTimeoutMs(),
                grace != null ? grace : d.shutdownGraceMs(),
                metricsPort != null ? Integer.valueOf(metricsPort.intValue()) : d.metricsPort());
    }

    private static boolean validBindAddress(String bind) {
        int colon = bind.lastIndexOf(':');
        if (colon <= 0 || colon == bind.length() - 1 || bind.length() - colon > 6) {
            return false;
        }
        String port = bind.substring(colon + 1);
        return port.chars().allMatch(Character::isDigit) && Integer.parseInt(port) <= 65535
                && bind.substring(0, colon).chars().noneMatch(c -> c <= ' ' || c == 0x7f);
    }

    /**
     * TensorZero's legacy {@code [embedding_models.X]}: a model of its own, serving embeddings only unless
     * it lists its endpoints.
     */
    private static void readEmbeddingModels(JsonNode root, Map<String, ModelConfig> models, ConfigReader r) {
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

    private static ModelConfig readModel(String section, String name, JsonNode node, ConfigReader r) {
        String path = ConfigReader.join(section, name);
        if (!node.isObject()) {
            r.problem(path, "expected a table, found " + ConfigReader.describe(node));
            return null;
        }
        RustCompat.model((ObjectNode) node, path, r);
        if (name.contains("::")) {
            r.problem(path, "model names may not contain '::' (reserved for shorthands like openai::gpt-4o)");
        }
        r.onlyKeys((ObjectNode) node, path, MODEL_KEYS);
        List<String> routing = r.strings(node, "routing", path, true);
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        ObjectNode providersTable = r.table(node, "providers", path, true);
        if (providersTable != null) {
            providersTable.properties().forEach(e -> {
                ProviderConfig p = readProvider(ConfigReader.join(path + ".providers", e.getKey()), e.getKey(),
                        e.getValue(), r);
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
                            + ".providers] (have: " + String.join(", ", (Iterable<String>) providersTable::fieldNames) + ")");
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
                        known.add(k.configName());
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
    private static void readFallbackChains(JsonNode root, Map<String, ModelConfig> models, ConfigReader r) {
        JsonNode chains = root.get("fallback_chains");
        if (chains == null) {
            return;
        }
        if (!chains.isArray()) {
            r.problem("fallback_chains", "expected a list of tables ([[fallback_chains]]), found "
                    + ConfigReader.describe(chains));
            return;
        }
        for (int i = 0; i < chains.size(); i++) {
            String path = "fallback_chains[" + i + "]";
            JsonNode chain = chains.get(i);
            if (!chain.isObject()) {
                r.problem(path, "expected a table, found " + ConfigReader.describe(chain));
                continue;
            }
            r.onlyKeys((ObjectNode) chain, path, Set.of("primary", "fallbacks"));
            String primary = r.string(chain, "primary", path, true);
            List<String> fallbacks = r.strings(chain, "fallbacks", path, true);
            if (primary == null || fallbacks == null) {
                continue;
            }
            ModelConfig m = models.get(primary);
            if (m == null) {
                r.problem(path + ".primary", "no model named '" + primary + "' in [models]");
            } else if (!m.fallbackModels().isEmpty()) {
                r.problem(path + ".primary", "model '" + primary + "' already has fallback_models; give its "
                        + "fallbacks in one place");
            } else {
                models.put(primary, m.withFallbackModels(fallbacks));
            }
        }
    }

    /** Every fallback model exists, and no chain of fallbacks leads back to where it started. */
    private static void checkFallbackModels(Map<String, ModelConfig> models, ConfigReader r) {
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
    private static void checkFallbackGraph(Map<String, ModelConfig> models, ConfigReader r) {
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

    private static ProviderConfig readProvider(String path, String name, JsonNode node, ConfigReader r) {
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
        if (keyText != null && (keyText.startsWith("dynamic::") || keyText.equals("sdk"))) {
            // The Rust gateway's: a key the client sends per request, or the cloud SDK's own credentials.
            r.notice(path + ".api_key_location", keyText.equals("sdk")
                    ? "'sdk' is taken as no key: Bedrock reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself"
                    : "dynamic credentials are not supported yet: requests to this provider go without a key");
            keyLocation = ApiKeyLocation.NONE;
        } else if (keyText != null) {
            keyLocation = ApiKeyLocation.parse(keyText);
            if (keyLocation == null) {
                r.problem(path + ".api_key_location", "expected env::VAR, path::FILE, path_from_env::VAR or none, found \""
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

    private static ProviderPolicy readPolicy(String path, JsonNode node, ConfigReader r) {
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

    private static void checkExtraBody(JsonNode extraBody, String path, ConfigReader r) {
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

    private static List<FilterSpec> readFilters(JsonNode node, ConfigReader r) {
        List<FilterSpec> out = new ArrayList<>();
        if (!node.isArray()) {
            r.problem("filters", "expected a list of tables ([[filters]]), found " + ConfigReader.describe(node));
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "filters[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                r.problem(path, "expected a table, found " + ConfigReader.describe(entry));
                continue;
            }
            String type = r.string(entry, "type", path, true);
            String name = r.string(entry, "name", path, false);
            Boolean enabled = r.bool(entry, "enabled", path);
            String onError = r.string(entry, "on_error", path, false);
            if (onError != null && !onError.equals("reject") && !onError.equals("skip")) {
                r.problem(path + ".on_error", "expected \"reject\" or \"skip\", found \""
                        + ConfigText.printable(onError) + "\"");
            }
            Long timeoutMs = r.longInRange(entry, "timeout_ms", path, 1, DAY_MS);
            if (type == null) {
                continue;
            }
            ObjectNode settings = ((ObjectNode) entry).deepCopy();
            settings.remove(FILTER_RESERVED);
            out.add(new FilterSpec(path, type, name != null ? name : type, enabled == null || enabled,
                    onError != null ? onError : "reject",
                    timeoutMs != null ? timeoutMs : FilterConfig.DEFAULT_TIMEOUT_MS,
                    settings));
        }
        return out;
    }

    private static List<FilterSpec> defaultFilters() {
        List<FilterSpec> out = new ArrayList<>();
        for (int i = 0; i < DEFAULT_CHAIN.size(); i++) {
            String type = DEFAULT_CHAIN.get(i);
            out.add(new FilterSpec("filters[" + i + "] (default chain)", type, type, true, "reject",
                    FilterConfig.DEFAULT_TIMEOUT_MS, JsonNodeFactory.instance.objectNode()));
        }
        return out;
    }
}
