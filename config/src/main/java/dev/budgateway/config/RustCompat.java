package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * Keys a config written for the Rust budgateway (a TensorZero fork) may hold whose features this gateway
 * does not have yet. They are taken out of the tree before the strict checks, so such a file loads, and
 * each is named: as a notice ("not supported yet", listed by {@code --validate-config} and logged at
 * start-up), or as a problem where ignoring it would weaken security (authentication and blocking rules
 * that are enabled).
 */
final class RustCompat {

    /** Top-level tables of TensorZero's that have no counterpart yet. */
    private static final Map<String, String> TOP_LEVEL = Map.of(
            "functions", "TensorZero functions and variants (the native /inference API)",
            "metrics", "TensorZero feedback metrics (/feedback)",
            "tools", "TensorZero tool definitions for functions");
    /** {@code [gateway]} keys of the Rust gateway's: what each would do. */
    private static final Map<String, String> GATEWAY = Map.ofEntries(
            Map.entry("otlp_proxy", "the OTLP proxy"),
            Map.entry("enable_template_filesystem_access", "templates of TensorZero functions"));
    /** Of those, the ones a gateway must not run without when they are enabled. */
    private static final Set<String> SECURITY = Set.of();
    /** {@code [models.X]} keys of the Rust gateway's. */
    private static final Map<String, String> MODEL = Map.of(
            "inference_cost", "per-model inference cost",
            "guardrail_profile", "guardrails");
    /** Capability names of the Rust gateway's {@code endpoints} lists that no endpoint serves here yet. */
    static final Set<String> UNSERVED_ENDPOINTS = Set.of("realtime_session", "realtime_transcription", "batch",
            "document", "classify");

    private RustCompat() {}

    static void topLevel(ObjectNode root, ConfigReader r) {
        for (String key : keysOf(root, TOP_LEVEL)) {
            root.remove(key);
            r.notice(key, "not supported yet (" + TOP_LEVEL.get(key) + "): ignored");
        }
    }

    /** The keys of {@code table} that {@code known} names, in the file's order. */
    private static java.util.List<String> keysOf(ObjectNode table, Map<String, String> known) {
        java.util.List<String> out = new java.util.ArrayList<>();
        table.fieldNames().forEachRemaining(k -> {
            if (known.containsKey(k)) {
                out.add(k);
            }
        });
        return out;
    }

    /** {@code debug} is taken as it is (errors are always detailed); the rest are named. */
    static void gateway(ObjectNode gateway, ConfigReader r) {
        JsonNode authentication = gateway.remove("authentication");
        if (authentication != null) {
            // [gateway.authentication] enabled = true|false: the auth filter at the front of the default chain.
            r.authentication(enabled(authentication));
        }
        JsonNode blocking = gateway.remove("blocking");
        if (blocking != null) {
            // [gateway.blocking] enabled = true: client-info and blocking at the front of the default chain.
            r.blocking(enabled(blocking));
        }
        JsonNode analytics = gateway.remove("analytics");
        if (analytics != null) {
            if (analytics.path("geoip_db_path").isTextual()) {
                // The City database of the Rust gateway's analytics is the client-info filter's.
                r.geoipDbPath(analytics.path("geoip_db_path").asText());
            }
            // [gateway.analytics] enabled: the GatewayAnalytics rows, written when a ClickHouse URL is set.
            r.requestAnalytics(enabled(analytics));
        }
        JsonNode observability = gateway.remove("observability");
        if (observability != null) {
            // [gateway.observability] enabled: the ModelInference rows, one per upstream attempt.
            r.inferenceRows(enabled(observability));
            if (observability.has("kafka") && enabled(observability.get("kafka"))) {
                r.notice("gateway.observability.kafka", "not supported (the budmetrics Kafka feed): ignored; "
                        + "budmetrics reads the same data from the OpenTelemetry spans");
            }
        }
        JsonNode export = gateway.remove("export");
        if (export != null) {
            // [gateway.export.otlp.traces] enabled: spans over OTLP, to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.
            JsonNode traces = export.path("otlp").path("traces");
            if (traces.isObject()) {
                r.traceExport(enabled(traces));
            }
        }
        JsonNode rateLimits = gateway.remove("rate_limits");
        if (rateLimits != null) {
            // [gateway.rate_limits]: the defaults of every model, applied by a rate-limits filter (the Rust gateway
            // parses them and never applies them).
            if (!rateLimits.isObject()) {
                r.problem("gateway.rate_limits", "expected a table, found " + ConfigReader.describe(rateLimits));
            } else if (enabled(rateLimits)) {
                r.rateLimits((ObjectNode) rateLimits);
            }
        }
        JsonNode debug = gateway.remove("debug");
        if (debug != null && !debug.isBoolean()) {
            r.problem("gateway.debug", "expected true or false, found " + ConfigReader.describe(debug));
        }
        for (String key : keysOf(gateway, GATEWAY)) {
            JsonNode value = gateway.remove(key);
            String what = GATEWAY.get(key);
            String path = "gateway." + key;
            if (SECURITY.contains(key) && enabled(value)) {
                r.problem(path, "not supported yet (" + what + "), and running without it would leave the "
                        + "gateway open: remove it or set enabled = false");
            } else {
                r.notice(path, "not supported yet (" + what + "): ignored");
            }
        }
    }

    /** Per-model policy fields that filters read: the rate-limits filter's limits, the usage-limits filter's prices. */
    static final java.util.List<String> MODEL_POLICIES = java.util.List.of("rate_limits", "pricing");

    static void model(ObjectNode model, String name, String path, ConfigReader r) {
        for (String field : MODEL_POLICIES) {
            JsonNode v = model.remove(field);
            if (v != null && !v.isNull()) {
                r.modelPolicy(field, name, v);
            }
        }
        for (String key : keysOf(model, MODEL)) {
            model.remove(key);
            r.notice(path + "." + key, "not supported yet (" + MODEL.get(key) + "): ignored");
        }
    }

    /** A table is enabled unless it says {@code enabled = false}; any other value counts as on. */
    private static boolean enabled(JsonNode value) {
        return !(value.isObject() && value.path("enabled").isBoolean() && !value.path("enabled").asBoolean())
                && !(value.isBoolean() && !value.asBoolean());
    }
}
