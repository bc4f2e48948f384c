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

    /** The tables the loader reads itself; every other one belongs to a registered {@link ConfigSection}. */
    private static final Set<String> CORE_TABLES = Set.of("gateway", "models", "embedding_models", "filters",
            "circuit_breaker", "fallback_chains");
    private static final List<ConfigSection<?>> SECTIONS = discoverSections();

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
        if (ProviderDialect.appliesTo((ObjectNode) root)) {
            ProviderDialect.apply((ObjectNode) root, r);
        }
        RustCompat.topLevel((ObjectNode) root, r);
        r.onlyKeys((ObjectNode) root, "", topLevelTables());

        GatewaySettings gateway = GatewaySection.readGateway(root, env, r);
        Map<String, ModelConfig> models = ModelsSection.read(root, r);
        CircuitBreakerConfig breaker = r.circuitBreaker(root, "circuit_breaker", "");
        boolean declared = root.has("filters");
        boolean auth = !declared && withAuthentication(root, env, r);
        List<FilterSpec> filters = declared ? FiltersSection.readFilters(root.get("filters"), r)
                : FiltersSection.defaultFilters(Boolean.TRUE.equals(r.blocking()), r.geoipDbPath(), auth,
                        auth && redisUrl(root, env) != null, r.rateLimits() != null);
        modelPolicies(filters, declared, r);
        if (declared && Boolean.TRUE.equals(r.blocking())
                && filters.stream().noneMatch(f -> f.type().equals("blocking"))) {
            r.problem("filters", "blocking is enabled ([gateway.blocking]) but [[filters]] has no type = \"blocking\" "
                    + "entry: add one (after client-info), or set enabled = false");
        }
        if (declared && Boolean.TRUE.equals(r.authentication())
                && filters.stream().noneMatch(f -> f.type().equals("auth"))) {
            r.problem("filters", "authentication is enabled ([gateway.authentication] or [auth]) but [[filters]] has "
                    + "no type = \"auth\" entry: add one (usually first), or set enabled = false");
        }
        Map<String, Object> sections = new LinkedHashMap<>();
        for (ConfigSection<?> section : SECTIONS) {
            Object settings = section.read(r.table(root, section.name(), "", false), r, env);
            if (settings != null) {
                sections.put(section.name(), settings);
            }
        }
        TomlLines lines = TomlLines.scan(toml);
        if (!r.problems().isEmpty()) {
            throw new ConfigException(r.environment().scrub(lines.locate(r.problems())));
        }
        return new GatewayConfig(gateway, breaker == null ? CircuitBreakerConfig.DISABLED : breaker, models, filters,
                declared, lines, r.environment(), r.environment().scrub(lines.locate(r.notices())), sections);
    }

    /**
     * Hands the Rust gateway's rate-limit defaults and the models' {@code rate_limits} and {@code pricing} to the
     * filters that read them, where their own settings do not say otherwise; names what no filter reads.
     */
    private static void modelPolicies(List<FilterSpec> filters, boolean declared, ConfigReader r) {
        boolean limits = false;
        for (FilterSpec f : filters) {
            if (f.type().equals("rate-limits")) {
                limits = true;
                if (r.rateLimits() != null && !f.settings().has("defaults")) {
                    f.settings().set("defaults", r.rateLimits().deepCopy());
                }
                putAll(f.settings(), "models", r.modelPolicies("rate_limits"));
            } else if (f.type().equals("usage-limits")) {
                putAll(f.settings(), "prices", r.modelPolicies("pricing"));
            }
        }
        if (declared && r.rateLimits() != null && !limits) {
            r.problem("filters", "rate limits are enabled ([gateway.rate_limits]) but [[filters]] has no type = "
                    + "\"rate-limits\" entry: add one (after auth), or set enabled = false");
        }
        if (!limits) {
            r.modelPolicies("rate_limits").keySet().forEach(m -> r.notice("models." + m + ".rate_limits",
                    "applies only with a rate-limits filter in the chain: ignored"));
        }
        // Prices are read without a usage-limits filter too: the request records carry their cost.
    }

    private static void putAll(ObjectNode settings, String field, Map<String, JsonNode> values) {
        if (values.isEmpty()) {
            return;
        }
        ObjectNode into = settings.has(field) && settings.get(field).isObject() ? (ObjectNode) settings.get(field)
                : settings.putObject(field);
        values.forEach((model, v) -> {
            if (!into.has(model)) {
                into.set(model, v.deepCopy());
            }
        });
    }

    private static String redisUrl(JsonNode root, Function<String, String> env) {
        String url = root.path("redis").path("url").asText(null);
        if (url == null) {
            url = env.apply("TENSORZERO_REDIS_URL");
        }
        return url == null || url.isBlank() ? null : url;
    }

    /**
     * Whether the default chain starts with {@code auth}: when the file enables authentication, or (the Rust
     * gateway's default) says nothing of it while a Redis URL is set, so that the control plane's keys are
     * required exactly where the Rust gateway required them.
     */
    private static boolean withAuthentication(JsonNode root, Function<String, String> env, ConfigReader r) {
        if (r.authentication() != null) {
            return r.authentication();
        }
        if (redisUrl(root, env) != null) {
            r.notice("gateway.authentication", "not set, and a Redis URL is: authentication is on, as in the Rust "
                    + "gateway (set [gateway.authentication] enabled = false to serve every caller)");
            return true;
        }
        return false;
    }

    /** The top-level tables a file may have: the core ones and the registered sections'. */
    public static Set<String> topLevelTables() {
        Set<String> all = new LinkedHashSet<>(CORE_TABLES);
        SECTIONS.forEach(s -> all.add(s.name()));
        return all;
    }

    private static List<ConfigSection<?>> discoverSections() {
        List<ConfigSection<?>> found = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(CORE_TABLES);
        for (ConfigSection<?> section : java.util.ServiceLoader.load(ConfigSection.class,
                ConfigLoader.class.getClassLoader())) {
            if (!names.add(section.name())) {
                throw new IllegalStateException("two config sections are named [" + section.name() + "]");
            }
            found.add(section);
        }
        return List.copyOf(found);
    }

}
