package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The writer against the current ClickHouse engine (chDB 3.4, ClickHouse 26.7): the Rust gateway's types
 * ({@code DateTime64(3)}, {@code Map}, {@code LowCardinality}, {@code Bool}), a {@code TTL}, and the rows in both
 * tables.
 */
class ModernClickHouseTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final String CHAT = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    ChdbServer chdb;

    @AfterEach
    void stop() {
        if (chdb != null) {
            chdb.close();
        }
    }

    long count(String sql) {
        try {
            return Long.parseLong(chdb.query(sql));
        } catch (Exception e) {
            return -1;
        }
    }

    String type(String table, String column) throws Exception {
        return TestGateway.json(chdb.query("SELECT type FROM system.columns WHERE database = 'modern' AND table = '"
                + table + "' AND name = '" + column + "' FORMAT JSONEachRow")).path("type").asText();
    }

    @Test
    void aCurrentServerGetsTheRustGatewaysTypesAndTheRows() throws Exception {
        chdb = ChdbServer.start();
        TestGateway gw = fx.start(TestGateway.mockModel(a) + "[clickhouse]\nflush_interval_ms = 100\nttl_days = 30\n",
                Map.of("TENSORZERO_CLICKHOUSE_URL", chdb.url("modern")));
        assertEquals(200, gw.post("/v1/chat/completions", CHAT, "user-agent", "OpenAI/Python 1.40.0").statusCode());
        assertEquals(200, gw.post("/v1/chat/completions", CHAT.replace("}]}", "}],\"stream\":true}")).statusCode());
        assertEquals(404, gw.post("/v1/chat/completions", CHAT.replace("\"mock\"", "\"nope\"")).statusCode());
        within(20_000, () -> count("SELECT count() FROM modern.GatewayAnalytics FINAL") == 3
                && count("SELECT count() FROM modern.ModelInference FINAL") == 2, "the rows arrive");

        assertEquals("DateTime64(3, 'UTC')", type("GatewayAnalytics", "request_timestamp"));
        assertEquals("Map(String, String)", type("GatewayAnalytics", "request_headers"));
        assertEquals("Bool", type("GatewayAnalytics", "is_stream"));
        assertEquals("LowCardinality(String)", type("ModelInference", "model_provider_name"));
        assertTrue(chdb.query("SHOW CREATE TABLE modern.GatewayAnalytics").contains("toIntervalDay(30)")
                || chdb.query("SHOW CREATE TABLE modern.GatewayAnalytics").contains("INTERVAL 30 DAY"), "a TTL");
        assertTrue(chdb.query("SHOW CREATE TABLE modern.ModelInference").contains("ReplacingMergeTree"));

        JsonNode ok = TestGateway.json(chdb.query("SELECT request_headers['user-agent'] AS agent, is_stream, "
                + "toUnixTimestamp64Milli(request_timestamp) % 1000 >= 0 AS millis, model_provider, inference_id, "
                + "input_tokens FROM modern.GatewayAnalytics WHERE status_code = 200 AND NOT is_stream "
                + "FORMAT JSONEachRow"));
        assertEquals("OpenAI/Python 1.40.0", ok.path("agent").asText());
        assertEquals(false, ok.path("is_stream").asBoolean());
        assertEquals("up", ok.path("model_provider").asText());
        JsonNode attempt = TestGateway.json(chdb.query("SELECT model_provider_name, served, ttft_ms FROM "
                + "modern.ModelInference WHERE inference_id = '" + ok.path("inference_id").asText()
                + "' FORMAT JSONEachRow"));
        assertEquals("up", attempt.path("model_provider_name").asText());
        assertEquals(true, attempt.path("served").asBoolean());
        assertEquals(1, count("SELECT count() FROM modern.ModelInference WHERE ttft_ms IS NOT NULL"),
                "the stream's time to first token");
    }

    @Test
    void aTableTheRustGatewayMadeIsKeptAndWrittenTo() throws Exception {
        chdb = ChdbServer.start();
        chdb.query("CREATE DATABASE rust");
        // The Rust gateway's GatewayAnalytics (its migration 0032), materialized columns and all.
        chdb.query("CREATE TABLE rust.GatewayAnalytics (id UUID, inference_id Nullable(UUID), client_ip String, "
                + "proxy_chain Nullable(String), protocol_version LowCardinality(String), country_code Nullable(String), "
                + "region Nullable(String), city Nullable(String), latitude Nullable(Float32), "
                + "longitude Nullable(Float32), timezone Nullable(String), asn Nullable(UInt32), isp Nullable(String), "
                + "user_agent Nullable(String), device_type LowCardinality(Nullable(String)), "
                + "browser_name LowCardinality(Nullable(String)), browser_version Nullable(String), "
                + "os_name LowCardinality(Nullable(String)), os_version Nullable(String), is_bot Bool DEFAULT false, "
                + "method LowCardinality(String), path String, query_params Nullable(String), "
                + "request_headers Map(String, String), body_size Nullable(UInt32), api_key_id Nullable(String), "
                + "auth_method LowCardinality(Nullable(String)), user_id Nullable(String), project_id Nullable(UUID), "
                + "endpoint_id Nullable(UUID), request_timestamp DateTime64(3), response_timestamp DateTime64(3), "
                + "gateway_processing_ms UInt32, total_duration_ms UInt32, model_name LowCardinality(Nullable(String)), "
                + "model_provider LowCardinality(Nullable(String)), model_version Nullable(String), "
                + "routing_decision LowCardinality(Nullable(String)), status_code UInt16, response_size Nullable(UInt32), "
                + "response_headers Map(String, String), error_type LowCardinality(Nullable(String)), "
                + "error_message Nullable(String), is_blocked Bool DEFAULT false, block_reason Nullable(String), "
                + "block_rule_id Nullable(String), tags Map(String, String), "
                + "timestamp DateTime MATERIALIZED toDateTime(request_timestamp), "
                + "date Date MATERIALIZED toDate(request_timestamp), "
                + "hour DateTime MATERIALIZED toStartOfHour(request_timestamp)) ENGINE = MergeTree() "
                + "PARTITION BY toYYYYMM(request_timestamp) ORDER BY (timestamp, id) "
                + "TTL toDateTime(request_timestamp) + INTERVAL 90 DAY");
        TestGateway gw = fx.start(TestGateway.mockModel(a) + "[clickhouse]\nflush_interval_ms = 100\n",
                Map.of("TENSORZERO_CLICKHOUSE_URL", chdb.url("rust")));
        assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        within(20_000, () -> count("SELECT count() FROM rust.GatewayAnalytics") == 1, "the row arrives");
        JsonNode row = TestGateway.json(chdb.query("SELECT model_name, model_provider, status_code, project_id, "
                + "api, hour FROM rust.GatewayAnalytics FORMAT JSONEachRow"));
        assertEquals("mock", row.path("model_name").asText());
        assertEquals("up", row.path("model_provider").asText());
        assertEquals(200, row.path("status_code").asInt());
        assertTrue(row.path("project_id").isNull(), row.toString());
        assertEquals("chat", row.path("api").asText(), "our columns are added to the Rust table");
        assertTrue(!row.path("hour").asText().isEmpty(), "its materialized columns are computed");
        assertTrue(chdb.query("SHOW CREATE TABLE rust.GatewayAnalytics").contains("MergeTree"), "the table is kept");
    }

    @Test
    void anInsertWhoseAnswerIsCutIsTakenOnceByTheDeduplicationWindow() throws Exception {
        chdb = ChdbServer.start();
        try (CuttingProxy proxy = new CuttingProxy(chdb.port())) {
            TestGateway gw = fx.start(TestGateway.mockModel(a) + "[clickhouse]\nflush_interval_ms = 100\n",
                    Map.of("TENSORZERO_CLICKHOUSE_URL", "http://127.0.0.1:" + proxy.port() + "/dedup"));
            within(20_000, () -> count("SELECT count() FROM system.tables WHERE database = 'dedup'") == 2,
                    "the tables are made");
            // No merges: a second copy of a row would stay in sight, as it would until a merge on a busy server.
            chdb.query("SYSTEM STOP MERGES dedup.GatewayAnalytics");
            chdb.query("SYSTEM STOP MERGES dedup.ModelInference");
            proxy.toCut.set(2);
            for (int i = 0; i < 30; i++) {
                assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
            }
            within(20_000, () -> proxy.cut.get() == 2 && count("SELECT count() FROM dedup.GatewayAnalytics") >= 30
                    && count("SELECT count() FROM dedup.ModelInference") >= 30, "the rows arrive through two cuts");
            Thread.sleep(500); // a resend in flight lands
            assertEquals(30, count("SELECT count() FROM dedup.GatewayAnalytics"), "each row once, without FINAL");
            assertEquals(30, count("SELECT count() FROM dedup.ModelInference"), "each attempt once, without FINAL");
        }
    }
}
