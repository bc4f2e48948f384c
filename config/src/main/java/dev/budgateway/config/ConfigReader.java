package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ConfigProblem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads values out of a TOML tree, collecting every problem with its key path instead of stopping. */
public final class ConfigReader {

    /** Bodies and events are held in one byte array. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    public static final long DAY_MS = 24L * 3600 * 1000;


    private final List<ConfigProblem> problems = new ArrayList<>();
    private final List<ConfigProblem> notices = new ArrayList<>();
    private final EnvironmentValues environment = new EnvironmentValues();
    private boolean dynamicCredentials;
    /** What a Rust-gateway or seed-dialect file says of authentication: {@code null} when it says nothing. */
    private Boolean authentication;

    /** Whether {@code dynamic::NAME} key locations are resolved (model tables) rather than noted as unsupported. */
    boolean dynamicCredentials() {
        return dynamicCredentials;
    }

    private Boolean blocking;
    private String geoipDbPath;

    void blocking(boolean enabled) {
        blocking = enabled;
    }

    Boolean blocking() {
        return blocking;
    }

    void geoipDbPath(String path) {
        geoipDbPath = path;
    }

    private Boolean requestAnalytics;

    void requestAnalytics(boolean enabled) {
        requestAnalytics = enabled;
    }

    /** The Rust gateway's {@code [gateway.analytics] enabled}, or {@code null} when the file does not say. */
    public Boolean requestAnalytics() {
        return requestAnalytics;
    }

    private Boolean inferenceRows;
    private Boolean traceExport;

    void inferenceRows(boolean enabled) {
        inferenceRows = enabled;
    }

    /** The Rust gateway's {@code [gateway.observability] enabled}, or {@code null} when the file does not say. */
    public Boolean inferenceRows() {
        return inferenceRows;
    }

    void traceExport(boolean enabled) {
        traceExport = enabled;
    }

    /** The Rust gateway's {@code [gateway.export.otlp.traces] enabled}, or {@code null} when the file does not say. */
    public Boolean traceExport() {
        return traceExport;
    }

    String geoipDbPath() {
        return geoipDbPath;
    }

    private com.fasterxml.jackson.databind.node.ObjectNode rateLimits;
    private final java.util.Map<String, java.util.Map<String, JsonNode>> modelPolicies = new java.util.LinkedHashMap<>();

    /** The Rust gateway's {@code [gateway.rate_limits]}, when enabled. */
    void rateLimits(com.fasterxml.jackson.databind.node.ObjectNode table) {
        rateLimits = table;
    }

    com.fasterxml.jackson.databind.node.ObjectNode rateLimits() {
        return rateLimits;
    }

    /** A {@code [models.X]} policy field ({@code rate_limits}, {@code pricing}) for the filter that reads it. */
    void modelPolicy(String field, String model, JsonNode value) {
        modelPolicies.computeIfAbsent(field, f -> new java.util.LinkedHashMap<>()).put(model, value);
    }

    /** The {@code [models.X]} values of a policy field, by model. */
    public java.util.Map<String, JsonNode> modelPolicies(String field) {
        return modelPolicies.getOrDefault(field, java.util.Map.of());
    }

    void authentication(boolean enabled) {
        authentication = enabled;
    }

    Boolean authentication() {
        return authentication;
    }

    ConfigReader withDynamicCredentials() {
        dynamicCredentials = true;
        return this;
    }

    List<ConfigProblem> problems() {
        return problems;
    }

    /** What {@code ${VAR}} put into the tree, kept out of every message. */
    EnvironmentValues environment() {
        return environment;
    }

    public void problem(String path, String message) {
        problems.add(new ConfigProblem(path, message));
    }

    /** Something the file says that the gateway accepts without acting on it (see {@link RustCompat}). */
    public void notice(String path, String message) {
        notices.add(new ConfigProblem(path, message));
    }

    List<ConfigProblem> notices() {
        return notices;
    }

    /** Reports every key of {@code table} that is not in {@code allowed}. */
    public void onlyKeys(ObjectNode table, String path, Set<String> allowed) {
        for (Iterator<String> it = table.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                problem(join(path, ConfigText.printable(key)), "unknown key (known: "
                        + String.join(", ", new java.util.TreeSet<>(allowed))
                        + ")");
            }
        }
    }

    public ObjectNode table(JsonNode parent, String key, String path, boolean required) {
        JsonNode node = parent.get(key);
        if (node == null) {
            if (required) {
                problem(join(path, key), "missing required table");
            }
            return null;
        }
        if (!node.isObject()) {
            problem(join(path, key), "expected a table, found " + describe(node));
            return null;
        }
        return (ObjectNode) node;
    }

    public String string(JsonNode parent, String key, String path, boolean required) {
        JsonNode node = parent.get(key);
        if (node == null) {
            if (required) {
                problem(join(path, key), "missing required key");
            }
            return null;
        }
        if (!node.isTextual()) {
            problem(join(path, key), "expected a string, found " + describe(node));
            return null;
        }
        return node.asText();
    }

    public Long positiveLong(JsonNode parent, String key, String path) {
        return longInRange(parent, key, path, 1, Long.MAX_VALUE);
    }

    /** A whole number from {@code min} to {@code max}, or {@code null} when absent or wrong. */
    public Long longInRange(JsonNode parent, String key, String path, long min, long max) {
        JsonNode node = parent.get(key);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            String expected = max != Long.MAX_VALUE ? "a whole number from " + min + " to " + max
                    : min == 1 ? "a positive integer" : "a whole number ≥ " + min;
            problem(join(path, key), "expected " + expected + ", found " + describe(node));
            return null;
        }
        return node.asLong();
    }

    /** A positive number (integer or not), or {@code null} when absent or wrong. */
    public Double positiveNumber(JsonNode parent, String key, String path) {
        return numberInRange(parent, key, path, Double.MIN_VALUE, 1e12);
    }

    /** A number from {@code min} to {@code max}, or {@code null} when absent or wrong. */
    public Double numberInRange(JsonNode parent, String key, String path, double min, double max) {
        JsonNode node = parent.get(key);
        if (node == null) {
            return null;
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble()) || node.asDouble() < min
                || node.asDouble() > max) {
            problem(join(path, key), (min == Double.MIN_VALUE ? "expected a positive number up to " + (long) max
                    : "expected a number from " + min + " to " + (long) max) + ", found " + describe(node));
            return null;
        }
        return node.asDouble();
    }

    /** A non-negative integer up to {@code max}, or {@code null} when absent or wrong. */
    public Integer count(JsonNode parent, String key, String path, int max) {
        Long n = longInRange(parent, key, path, 0, max);
        return n == null ? null : n.intValue();
    }

    /** {@code retries = { num_retries, max_delay_s }} under {@code key}, or {@code null} when absent. */
    RetryPolicy retries(JsonNode parent, String key, String path) {
        ObjectNode t = table(parent, key, path, false);
        if (t == null) {
            return null;
        }
        String tp = join(path, key);
        onlyKeys(t, tp, Set.of("num_retries", "max_delay_s"));
        Integer n = count(t, "num_retries", tp, RetryPolicy.MAX_RETRIES);
        Double max = positiveNumber(t, "max_delay_s", tp);
        return new RetryPolicy(n == null ? 0 : n, max == null ? RetryPolicy.DEFAULT_MAX_DELAY_S : max);
    }

    /** A {@code circuit_breaker} table under {@code key}, or {@code null} when absent. */
    CircuitBreakerConfig circuitBreaker(JsonNode parent, String key, String path) {
        ObjectNode t = table(parent, key, path, false);
        if (t == null) {
            return null;
        }
        String tp = join(path, key);
        onlyKeys(t, tp, Set.of("enabled", "failure_threshold", "timeout_duration", "half_open_max_calls"));
        CircuitBreakerConfig d = CircuitBreakerConfig.DEFAULTS;
        Boolean enabled = bool(t, "enabled", tp);
        Long threshold = longInRange(t, "failure_threshold", tp, 1, Integer.MAX_VALUE);
        // Resilience4j counts the open state in whole milliseconds.
        Double timeout = numberInRange(t, "timeout_duration", tp, 0.001, 7 * 24 * 3600);
        Long halfOpen = longInRange(t, "half_open_max_calls", tp, 1, Integer.MAX_VALUE);
        return new CircuitBreakerConfig(enabled == null || enabled,
                threshold == null ? d.failureThreshold() : threshold.intValue(),
                timeout == null ? d.timeoutDurationS() : timeout,
                halfOpen == null ? d.halfOpenMaxCalls() : halfOpen.intValue());
    }

    public Boolean bool(JsonNode parent, String key, String path) {
        JsonNode node = parent.get(key);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            problem(join(path, key), "expected true or false, found " + describe(node));
            return null;
        }
        return node.asBoolean();
    }

    public List<String> strings(JsonNode parent, String key, String path, boolean required) {
        JsonNode node = parent.get(key);
        if (node == null) {
            if (required) {
                problem(join(path, key), "missing required key");
            }
            return null;
        }
        if (!node.isArray()) {
            problem(join(path, key), "expected a list of strings, found " + describe(node));
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                problem(join(path, key) + "[" + i + "]", "expected a string, found " + describe(node.get(i)));
            } else {
                out.add(node.get(i).asText());
            }
        }
        return out;
    }

    public Map<String, String> stringMap(JsonNode parent, String key, String path) {
        ObjectNode table = table(parent, key, path, false);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (table == null) {
            return out;
        }
        table.properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            } else {
                problem(join(join(path, key), e.getKey()), "expected a string, found " + describe(e.getValue()));
            }
        });
        return out;
    }

    Timeouts timeouts(JsonNode parent, String path) {
        ObjectNode t = table(parent, "timeouts", path, false);
        if (t == null) {
            return Timeouts.NONE;
        }
        String tp = join(path, "timeouts");
        onlyKeys(t, tp, Set.of("non_streaming", "streaming"));
        Long nonStreamingTotal = null;
        Long ttft = null;
        Long streamingTotal = null;
        Long stall = null;
        ObjectNode ns = table(t, "non_streaming", tp, false);
        if (ns != null) {
            onlyKeys(ns, join(tp, "non_streaming"), Set.of("total_ms"));
            nonStreamingTotal = positiveLong(ns, "total_ms", join(tp, "non_streaming"));
        }
        ObjectNode s = table(t, "streaming", tp, false);
        if (s != null) {
            onlyKeys(s, join(tp, "streaming"), Set.of("ttft_ms", "total_ms", "stall_ms"));
            ttft = positiveLong(s, "ttft_ms", join(tp, "streaming"));
            streamingTotal = positiveLong(s, "total_ms", join(tp, "streaming"));
            stall = positiveLong(s, "stall_ms", join(tp, "streaming"));
        }
        return new Timeouts(nonStreamingTotal, ttft, streamingTotal, stall);
    }

    public static String join(String path, String key) {
        String k = key.isEmpty() || key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-')
                ? key : "\"" + key + "\"";
        return path.isEmpty() ? k : path + "." + k;
    }

    /** A value for a message: strings printable and cut (see {@link ConfigText}). */
    public static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "string \"" + ConfigText.printable(node.asText()) + "\"";
        }
        if (node.isObject()) {
            return "a table";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + node;
    }
}
