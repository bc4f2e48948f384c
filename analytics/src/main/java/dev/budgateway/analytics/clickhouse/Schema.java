package dev.budgateway.analytics.clickhouse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables, created and migrated at start. {@code GatewayAnalytics} has the Rust gateway's columns (its migration
 * 0032) and a few of ours; a table the Rust gateway created already is kept and given the columns it lacks, so a
 * deployment can switch gateways on the same database. Each step is idempotent (ClickHouse 18.16 has no
 * {@code ADD COLUMN IF NOT EXISTS}: the columns are read from {@code system.columns} first), so replicas starting
 * together and restarts are safe.
 */
final class Schema {

    static final String ANALYTICS = "GatewayAnalytics";
    static final String INFERENCES = "ModelInference";

    private Schema() {}

    /** The columns, by name, with their type on a current server ({@code modern}) and on an old one. */
    static Map<String, String> columns(Dialect d) {
        String ts = d.timestamp();
        String label = d.label();
        String nlabel = d.modern() ? "LowCardinality(Nullable(String))" : "Nullable(String)";
        String bool = d.modern() ? "Bool DEFAULT false" : "UInt8 DEFAULT 0";
        Map<String, String> c = new LinkedHashMap<>();
        c.put("id", "UUID");
        c.put("inference_id", "Nullable(String)");
        c.put("request_id", "String");
        c.put("client_ip", "String");
        c.put("proxy_chain", "Nullable(String)");
        c.put("protocol_version", label);
        c.put("country_code", "Nullable(String)");
        c.put("country_name", "Nullable(String)");
        c.put("region", "Nullable(String)");
        c.put("city", "Nullable(String)");
        c.put("latitude", "Nullable(Float32)");
        c.put("longitude", "Nullable(Float32)");
        c.put("timezone", "Nullable(String)");
        c.put("asn", "Nullable(UInt32)");
        c.put("isp", "Nullable(String)");
        c.put("user_agent", "Nullable(String)");
        c.put("device_type", nlabel);
        c.put("browser_name", nlabel);
        c.put("browser_version", "Nullable(String)");
        c.put("os_name", nlabel);
        c.put("os_version", "Nullable(String)");
        c.put("is_bot", bool);
        c.put("sdk", nlabel);
        c.put("method", label);
        c.put("path", "String");
        c.put("query_params", "Nullable(String)");
        c.put("request_headers", d.map());
        c.put("body_size", "Nullable(UInt32)");
        c.put("api", label);
        c.put("is_stream", bool);
        c.put("api_key_id", "Nullable(String)");
        c.put("auth_method", nlabel);
        c.put("user_id", "Nullable(String)");
        c.put("project_id", "Nullable(String)");
        c.put("endpoint_id", "Nullable(String)");
        c.put("request_timestamp", ts);
        c.put("response_timestamp", ts);
        c.put("gateway_processing_ms", "UInt32");
        c.put("total_duration_ms", "UInt32");
        c.put("time_to_first_chunk_ms", "Nullable(UInt32)");
        c.put("model_name", nlabel);
        c.put("model_provider", nlabel);
        c.put("model_version", "Nullable(String)");
        c.put("routing_decision", nlabel);
        c.put("attempts", "UInt16");
        c.put("status_code", "UInt16");
        c.put("response_size", "Nullable(UInt32)");
        c.put("response_headers", d.map());
        c.put("error_type", nlabel);
        c.put("error_message", "Nullable(String)");
        c.put("is_cancelled", bool);
        c.put("is_blocked", bool);
        c.put("block_reason", "Nullable(String)");
        c.put("block_rule_id", "Nullable(String)");
        c.put("input_tokens", "Nullable(UInt64)");
        c.put("output_tokens", "Nullable(UInt64)");
        c.put("cost", "Nullable(Float64)");
        c.put("tags", d.map());
        return c;
    }

    /**
     * {@code ModelInference}: the Rust gateway's columns (TensorZero's, with Bud's {@code gateway_request},
     * {@code gateway_response}, {@code endpoint_type}), and ours for what an attempt did. Bodies are not recorded:
     * {@code raw_request}, {@code raw_response}, {@code input_messages} and {@code output} stay empty.
     */
    static Map<String, String> inferenceColumns(Dialect d) {
        String label = d.label();
        String nlabel = d.modern() ? "LowCardinality(Nullable(String))" : "Nullable(String)";
        String bool = d.modern() ? "Bool DEFAULT false" : "UInt8 DEFAULT 0";
        Map<String, String> c = new LinkedHashMap<>();
        c.put("id", "UUID");
        c.put("inference_id", "UUID");
        c.put("request_id", "String");
        c.put("raw_request", "String");
        c.put("raw_response", "String");
        c.put("model_name", label);
        c.put("model_provider_name", label);
        c.put("input_tokens", "Nullable(UInt32)");
        c.put("output_tokens", "Nullable(UInt32)");
        c.put("response_time_ms", "Nullable(UInt32)");
        c.put("ttft_ms", "Nullable(UInt32)");
        c.put("timestamp", d.timestamp());
        c.put("system", "Nullable(String)");
        c.put("input_messages", "String");
        c.put("output", "String");
        c.put("cached", bool);
        c.put("finish_reason", nlabel);
        c.put("gateway_request", "Nullable(String)");
        c.put("gateway_response", "Nullable(String)");
        c.put("endpoint_type", label);
        c.put("attempt", "UInt16");
        c.put("is_stream", bool);
        c.put("is_success", bool);
        c.put("served", bool);
        c.put("status_code", "UInt16");
        c.put("error_type", nlabel);
        c.put("error_message", "Nullable(String)");
        c.put("cost", "Nullable(Float64)");
        return c;
    }

    /** The table's columns by name, on this server. */
    static Map<String, String> columns(String table, Dialect d) {
        return table.equals(ANALYTICS) ? columns(d) : inferenceColumns(d);
    }

    /** Where rows of {@code table} are ordered, which is also what is replaced: one row per id once merged. */
    private static String ordering(String table) {
        return table.equals(ANALYTICS) ? "PARTITION BY toYYYYMM(request_timestamp) ORDER BY (request_timestamp, id)"
                : "PARTITION BY toYYYYMM(timestamp) ORDER BY (timestamp, id)";
    }

    private static String timeColumn(String table) {
        return table.equals(ANALYTICS) ? "request_timestamp" : "timestamp";
    }

    /**
     * Creates the database and the table, adds the columns an existing table lacks, and gives the table as it is
     * now: its columns and their types, which rows are written for.
     */
    static Map<String, String> migrate(ClickHouseHttp http, ClickHouseSettings s, Dialect d, String table)
            throws IOException, InterruptedException {
        http.execute("CREATE DATABASE IF NOT EXISTS " + s.database(), "default");
        Map<String, String> wanted = columns(table, d);
        StringBuilder create = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table).append(" (");
        List<String> defs = new ArrayList<>();
        wanted.forEach((name, type) -> defs.add(name + " " + type));
        create.append(String.join(", ", defs))
                // Replacing on the id: a batch sent again after a failure the server did not report (a cut
                // connection mid-insert) leaves one row per id once merged; count with FINAL or uniqExact(id).
                .append(") ENGINE = ReplacingMergeTree() ").append(ordering(table))
                .append(d.ttl(timeColumn(table), s.ttlDays())).append(d.dedupSettings());
        http.execute(create.toString(), s.database());
        Map<String, String> existing = existing(http, s, table);
        for (Map.Entry<String, String> c : wanted.entrySet()) {
            if (!existing.containsKey(c.getKey())) {
                http.execute("ALTER TABLE " + table + " ADD COLUMN " + c.getKey() + " " + c.getValue(),
                        s.database());
            }
        }
        return existing(http, s, table);
    }

    private static Map<String, String> existing(ClickHouseHttp http, ClickHouseSettings s, String table)
            throws IOException, InterruptedException {
        String rows = http.execute("SELECT name, type, default_kind FROM system.columns WHERE database = '"
                + s.database() + "' AND table = '" + table + "' FORMAT TabSeparated", "default");
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> computed = new HashSet<>(List.of("MATERIALIZED", "ALIAS"));
        for (String line : rows.strip().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length >= 2 && !(f.length > 2 && computed.contains(f[2]))) {
                out.put(f[0], f[1]);
            }
        }
        return out;
    }

    /** Where the server has no TTL: drops the monthly partitions wholly older than {@code ttlDays}. */
    static void dropExpired(ClickHouseHttp http, ClickHouseSettings s, Dialect d, String table) throws IOException,
            InterruptedException {
        if (d.modern()) {
            return;
        }
        String parts = http.execute("SELECT DISTINCT partition FROM system.parts WHERE database = '" + s.database()
                + "' AND table = '" + table + "' AND active FORMAT TabSeparated", "default");
        java.time.YearMonth oldest = java.time.YearMonth.from(java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                .minusDays(s.ttlDays()));
        for (String p : parts.strip().split("\n")) {
            if (p.matches("\\d{6}") && java.time.YearMonth.of(Integer.parseInt(p.substring(0, 4)),
                    Integer.parseInt(p.substring(4))).isBefore(oldest)) {
                http.execute("ALTER TABLE " + table + " DROP PARTITION " + p, s.database());
            }
        }
    }
}
