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
}
