package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GatewayAnalytics rows in a real clickhouse-server (Debian's 18.16), for requests of every kind. */
class AnalyticsTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final String CHAT = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    ClickHouseServer clickhouse;

    @AfterEach
    void stop() {
        if (clickhouse != null) {
            clickhouse.close();
        }
    }

    TestGateway gateway(String database) throws Exception {
        return fx.start(TestGateway.mockModel(a) + "[clickhouse]\nflush_interval_ms = 100\n",
                Map.of("TENSORZERO_CLICKHOUSE_URL", clickhouse.url(database)));
    }

    long rows(String database) {
        try {
            return Long.parseLong(clickhouse.query("SELECT uniqExact(id) FROM " + database + ".GatewayAnalytics"));
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void everyRequestGetsARowWithWhatHappened() throws Exception {
        clickhouse = ClickHouseServer.start();
        TestGateway gw = gateway("analytics");
        int sent = 0;
        for (int i = 0; i < 20; i++) {
            assertEquals(200, gw.post("/v1/chat/completions", CHAT, "user-agent", "OpenAI/Java 4.1.0",
                    "authorization", "Bearer sk-not-kept").statusCode());
            sent++;
        }
        HttpResponse<String> stream = gw.post("/v1/chat/completions", CHAT.replace("}]}", "}],\"stream\":true}"));
        assertEquals(200, stream.statusCode());
        sent++;
        assertEquals(404, gw.post("/v1/chat/completions", CHAT.replace("\"mock\"", "\"nope\"")).statusCode());
        sent++;
        assertEquals(400, gw.post("/v1/chat/completions", "{not json").statusCode(), "refused before the chain");
        sent++;
        int expected = sent;
        within(15_000, () -> rows("analytics") == expected, "one row per request");

        JsonNode ok = TestGateway.json(clickhouse.query("SELECT * FROM analytics.GatewayAnalytics WHERE status_code = 200 "
                + "AND is_stream = 0 LIMIT 1 FORMAT JSONEachRow"));
        assertEquals("POST", ok.path("method").asText());
        assertEquals("/v1/chat/completions", ok.path("path").asText());
        assertEquals("chat", ok.path("api").asText());
        assertEquals("mock", ok.path("model_name").asText());
        assertEquals("up", ok.path("model_provider").asText());
        assertEquals(1, ok.path("attempts").asInt());
        assertEquals("7", ok.path("input_tokens").asText());
        assertEquals("3", ok.path("output_tokens").asText());
        assertEquals("127.0.0.1", ok.path("client_ip").asText());
        assertTrue(ok.path("request_headers").asText().contains("OpenAI/Java 4.1.0"), ok.toString());
        assertTrue(!ok.toString().contains("sk-not-kept"), "no credential is recorded: " + ok);
        assertTrue(ok.path("id").asText().charAt(14) == '7', "a UUIDv7: " + ok.path("id").asText());
        assertEquals("HTTP/1.1", ok.path("protocol_version").asText());
        assertEquals(CHAT.length(), ok.path("body_size").asInt());
        JsonNode missing = TestGateway.json(clickhouse.query("SELECT status_code, error_type, model_name FROM "
                + "analytics.GatewayAnalytics WHERE status_code = 404 FORMAT JSONEachRow"));
        assertEquals("nope", missing.path("model_name").asText());
        assertTrue(!missing.path("error_type").asText().isEmpty(), missing.toString());
        assertEquals("1", clickhouse.query("SELECT count() FROM analytics.GatewayAnalytics WHERE status_code = 400"));
        assertEquals("1", clickhouse.query("SELECT count() FROM analytics.GatewayAnalytics WHERE is_stream = 1 "
                + "AND status_code = 200"));
        JsonNode health = TestGateway.json(gw.get("/health").body());
        assertEquals("ok", health.path("dependencies").path("clickhouse").asText(), health.toString());
    }

    @Test
    void blockedRateLimitedAndCancelledRequestsGetTheirRows() throws Exception {
        clickhouse = ClickHouseServer.start();
        try (dev.budgateway.filters.controlplane.RedisServer redis =
                dev.budgateway.filters.controlplane.RedisServer.start()) {
            TestGateway gw = fx.start("[redis]\nurl = \"" + redis.url() + "\"\n" + TestGateway.mockModel(a)
                    + "[[filters]]\ntype = \"client-info\"\n[[filters]]\ntype = \"blocking\"\n"
                    + "[[filters.rules]]\nid = \"no-scanners\"\nrule_type = \"USER_AGENT_BLOCKING\"\npriority = 1\n"
                    + "config = { patterns = [\"*evil-scanner*\"] }\n"
                    + "[[filters]]\ntype = \"rate-limits\"\n"
                    + "limits = [{ id = \"per-ip\", scope = \"client_ip\", requests_per_minute = 3 }]\n"
                    + "[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n"
                    + "[clickhouse]\nflush_interval_ms = 100\n",
                    Map.of("TENSORZERO_CLICKHOUSE_URL", clickhouse.url("outcomes")));
            within(10_000, () -> {
                try {
                    return TestGateway.json(gw.get("/health").body()).path("dependencies").path("redis").asText()
                            .equals("ok");
                } catch (Exception e) {
                    return false;
                }
            }, "redis ok");
            assertEquals(403, gw.post("/v1/chat/completions", CHAT, "user-agent", "evil-scanner/1.0").statusCode());
            // A stream the client leaves after its first bytes: the upstream keeps writing slowly.
            a.handle((ctx, r) -> a.sse(ctx, MockOpenAi.chatEvents(java.util.Collections.nCopies(50, "word"), true),
                    0, 100));
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.io.InputStream body = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(gw.baseUrl + "/v1/chat/completions")).header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(CHAT.replace("}]}",
                            "}],\"stream\":true}"))).build(), HttpResponse.BodyHandlers.ofInputStream()).body();
            assertTrue(body.read(new byte[16]) > 0, "the stream started");
            body.close();
            a.streamCancelled.get(10, java.util.concurrent.TimeUnit.SECONDS);
            a.answerChat("ok");
            int limited = 0;
            for (int i = 0; i < 3; i++) {
                limited += gw.post("/v1/chat/completions", CHAT).statusCode() == 429 ? 1 : 0;
            }
            assertEquals(1, limited, "three a minute: the stream, and two more");
            within(15_000, () -> rows("outcomes") == 5, "a row for each of the five");

            JsonNode blocked = TestGateway.json(clickhouse.query("SELECT * FROM outcomes.GatewayAnalytics "
                    + "WHERE status_code = 403 FORMAT JSONEachRow"));
            assertEquals(1, blocked.path("is_blocked").asInt());
            assertEquals("no-scanners", blocked.path("block_rule_id").asText());
            assertEquals(0, blocked.path("attempts").asInt());
            assertTrue(blocked.path("inference_id").isNull(), blocked.toString());
            JsonNode limitedRow = TestGateway.json(clickhouse.query("SELECT * FROM outcomes.GatewayAnalytics "
                    + "WHERE status_code = 429 FORMAT JSONEachRow"));
            assertEquals(1, limitedRow.path("is_blocked").asInt(), "a rate limit refuses as a block does");
            assertTrue(!limitedRow.path("error_type").asText().isEmpty(), limitedRow.toString());
            JsonNode cancelled = TestGateway.json(clickhouse.query("SELECT * FROM outcomes.GatewayAnalytics "
                    + "WHERE is_cancelled = 1 FORMAT JSONEachRow"));
            assertEquals(1, cancelled.path("is_stream").asInt());
            assertEquals("up", cancelled.path("model_provider").asText());
            assertTrue(!cancelled.path("time_to_first_chunk_ms").isNull(), cancelled.toString());
            JsonNode attempt = TestGateway.json(clickhouse.query("SELECT served, status_code, is_stream FROM "
                    + "outcomes.ModelInference WHERE inference_id = '" + cancelled.path("inference_id").asText()
                    + "' FORMAT JSONEachRow"));
            assertEquals(1, attempt.path("served").asInt());
            assertEquals(1, attempt.path("is_stream").asInt());
        }
    }

    @Test
    void eachAttemptGetsAnInferenceRowJoinedToItsRequestWithItsCost() throws Exception {
        clickhouse = ClickHouseServer.start();
        MockOpenAi b = fx.b();
        a.handle((ctx, r) -> MockOpenAi.json(500, "{\"error\":{\"message\":\"down\",\"type\":\"server_error\"}}"));
        b.answerChat("from b");
        String toml = "[models.priced]\nrouting = [\"first\", \"second\"]\n"
                + "pricing = { input_cost = 2.0, output_cost = 4.0, currency = \"USD\", per_tokens = 1000 }\n"
                + "[models.priced.providers.first]\ntype = \"openai\"\napi_base = \"" + a.apiBase()
                + "\"\nmodel_name = \"m\"\napi_key_location = \"none\"\n"
                + "[models.priced.providers.second]\ntype = \"openai\"\napi_base = \"" + b.apiBase()
                + "\"\nmodel_name = \"m\"\napi_key_location = \"none\"\n"
                + "[clickhouse]\nflush_interval_ms = 100\n[observability]\ncost_header = true\n";
        TestGateway gw = fx.start(toml, Map.of("TENSORZERO_CLICKHOUSE_URL", clickhouse.url("inferences")));
        HttpResponse<String> served = gw.post("/v1/chat/completions", CHAT.replace("\"mock\"", "\"priced\""));
        assertEquals(200, served.statusCode(), served.body());
        assertEquals("2", served.headers().firstValue("x-gateway-attempts").orElse(null));
        // 7 input and 3 output tokens at 2.0 and 4.0 per 1000.
        assertEquals(0.026, Double.parseDouble(served.headers().firstValue("x-gateway-cost").orElse("-1")), 1e-9);

        within(15_000, () -> {
            try {
                return clickhouse.query("SELECT count() FROM inferences.ModelInference").equals("2")
                        && rows("inferences") == 1;
            } catch (Exception e) {
                return false;
            }
        }, "one request row and two inference rows");
        JsonNode request = TestGateway.json(clickhouse.query("SELECT inference_id, cost, attempts, routing_decision, "
                + "model_provider, gateway_processing_ms, total_duration_ms FROM inferences.GatewayAnalytics "
                + "FORMAT JSONEachRow"));
        assertEquals(0.026, request.path("cost").asDouble(), 1e-9);
        assertEquals("fallback", request.path("routing_decision").asText());
        assertEquals("second", request.path("model_provider").asText());
        assertTrue(request.path("gateway_processing_ms").asLong() <= request.path("total_duration_ms").asLong(),
                request.toString());
        String inference = request.path("inference_id").asText();
        assertTrue(inference.charAt(14) == '7', "a UUIDv7: " + inference);
        String rows = clickhouse.query("SELECT inference_id, model_name, model_provider_name, attempt, served, "
                + "is_success, status_code, input_tokens, output_tokens, cost, endpoint_type, response_time_ms "
                + "FROM inferences.ModelInference ORDER BY attempt FORMAT JSONEachRow");
        String[] lines = rows.strip().split("\n");
        JsonNode failed = TestGateway.json(lines[0]);
        JsonNode won = TestGateway.json(lines[1]);
        assertEquals(inference, failed.path("inference_id").asText());
        assertEquals(inference, won.path("inference_id").asText());
        assertEquals("first", failed.path("model_provider_name").asText());
        assertEquals(0, failed.path("is_success").asInt());
        assertEquals(0, failed.path("served").asInt());
        assertTrue(failed.path("status_code").asInt() >= 500, failed.toString());
        assertEquals("second", won.path("model_provider_name").asText());
        assertEquals("priced", won.path("model_name").asText());
        assertEquals(1, won.path("is_success").asInt());
        assertEquals(1, won.path("served").asInt());
        assertEquals(200, won.path("status_code").asInt());
        assertEquals("7", won.path("input_tokens").asText());
        assertEquals("3", won.path("output_tokens").asText());
        assertEquals(0.026, won.path("cost").asDouble(), 1e-9);
        assertEquals("chat", won.path("endpoint_type").asText());

        String metrics = gw.get("/metrics").body();
        assertValidPrometheusText(metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("budgateway_cost_total{")
                && l.contains("model=\"priced\"") && l.contains("provider=\"second\"") && l.endsWith(" 0.026")),
                "the cost metric");
        assertTrue(metrics.contains("budgateway_gateway_processing_seconds_count{"), "the processing time metric");
    }

    /** Every line a comment (# HELP / # TYPE of a metric name) or a sample: name, labels, a number. */
    static void assertValidPrometheusText(String text) {
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        java.util.regex.Pattern sample = java.util.regex.Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)"
                + "(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\",?)*\\})? "
                + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ", 4);
                assertTrue(parts.length >= 3 && name.matcher(parts[2]).matches(), "a comment: " + line);
                if (line.startsWith("# TYPE ")) {
                    assertTrue(java.util.Set.of("counter", "gauge", "histogram", "summary", "untyped")
                            .contains(parts[3]), "a type: " + line);
                }
                continue;
            }
            assertTrue(sample.matcher(line).matches(), "a sample: " + line);
        }
    }

    @Test
    void anInsertWhoseAnswerIsCutAfterTheServerTookItLeavesEachRowOnce() throws Exception {
        clickhouse = ClickHouseServer.start();
        try (CuttingProxy proxy = new CuttingProxy(clickhouse.httpPort())) {
            TestGateway gw = fx.start(TestGateway.mockModel(a) + "[clickhouse]\nflush_interval_ms = 100\n",
                    Map.of("TENSORZERO_CLICKHOUSE_URL", "http://127.0.0.1:" + proxy.port() + "/cut"));
            within(10_000, () -> {
                try {
                    return clickhouse.query("EXISTS TABLE cut.ModelInference").equals("1");
                } catch (Exception e) {
                    return false;
                }
            }, "the tables are made");
            proxy.toCut.set(2);
            for (int i = 0; i < 30; i++) {
                assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
            }
            within(20_000, () -> rows("cut") == 30 && proxy.cut.get() == 2, "every row arrives, through two cuts");
            within(10_000, () -> {
                try {
                    return clickhouse.query("SELECT uniqExact(id) FROM cut.ModelInference").equals("30");
                } catch (Exception e) {
                    return false;
                }
            }, "every attempt's row arrives");
            Thread.sleep(300); // a replay in flight lands
            assertEquals("30", clickhouse.query("SELECT count() FROM cut.GatewayAnalytics FINAL"), "each row once");
            assertEquals("30", clickhouse.query("SELECT count() FROM cut.ModelInference FINAL"), "each attempt once");
            String metrics = gw.get("/metrics").body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("analytics_inserts_failed_total")
                    && !l.endsWith(" 0.0")), "the cut inserts are counted");
        }
    }

    @Test
    void requestsGoOnWhileClickHouseIsAwayAndTheirRowsArriveOnceItIsBack() throws Exception {
        clickhouse = ClickHouseServer.start();
        TestGateway gw = gateway("outage");
        assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        within(15_000, () -> rows("outage") == 1, "the first row");
        clickhouse.down();
        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        }
        long perRequestMs = (System.nanoTime() - started) / 50 / 1_000_000;
        assertTrue(perRequestMs < 50, "requests do not wait for ClickHouse: " + perRequestMs + " ms each");
        within(5_000, () -> TestGateway.json(get(gw, "/health")).path("dependencies").path("clickhouse").asText()
                .equals("degraded"), "health says the rows wait");
        clickhouse.up();
        within(40_000, () -> rows("outage") == 51, "every row, once, after the restart");
    }

    /** The batches waiting in a spool directory. */
    static long batches(java.nio.file.Path spool) {
        String[] names = spool.toFile().list((d, n) -> n.endsWith(".ndjson"));
        return names == null ? 0 : names.length;
    }

    static String get(TestGateway gw, String path) {
        try {
            return gw.get(path).body();
        } catch (Exception e) {
            return "{}";
        }
    }

    @Test
    void aTableThatExistsIsKeptAndGivenTheColumnsItLacks() throws Exception {
        clickhouse = ClickHouseServer.start();
        // A table of an earlier gateway: fewer columns, and the Rust gateway's UUID project id.
        clickhouse.query("CREATE DATABASE prior");
        clickhouse.query("CREATE TABLE prior.GatewayAnalytics (id UUID, client_ip String, project_id Nullable(UUID), "
                + "request_timestamp DateTime, status_code UInt16, legacy_note String DEFAULT 'kept') "
                + "ENGINE = MergeTree() PARTITION BY toYYYYMM(request_timestamp) ORDER BY (request_timestamp, id)");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(
                "team-key".getBytes(StandardCharsets.UTF_8)));
        TestGateway gw = fx.start(TestGateway.mockModel(a) + "[clickhouse]\nflush_interval_ms = 100\n"
                + "[[filters]]\ntype = \"auth\"\nstatic_keys = [{ sha256 = \"" + sha + "\", name = \"team\", "
                + "project = \"team-a\" }]\n[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n",
                Map.of("TENSORZERO_CLICKHOUSE_URL", clickhouse.url("prior")));
        assertEquals(200, gw.post("/v1/chat/completions", CHAT, "authorization", "Bearer team-key").statusCode());
        within(15_000, () -> rows("prior") == 1, "the row, in the table that was there");
        JsonNode row = TestGateway.json(clickhouse.query("SELECT model_name, api_key_id, project_id, legacy_note, status_code "
                + "FROM prior.GatewayAnalytics FORMAT JSONEachRow"));
        assertEquals("mock", row.path("model_name").asText(), "a column added: " + row);
        assertEquals("team", row.path("api_key_id").asText());
        assertTrue(row.path("project_id").isNull(), "a project that is no UUID is null in a UUID column: " + row);
        assertEquals("kept", row.path("legacy_note").asText(), "the table's own columns are kept");
        assertEquals(200, row.path("status_code").asInt());
    }

    @Test
    void rowsWaitOnDiskThroughAnOutageAndARestartAndArriveOnce() throws Exception {
        clickhouse = ClickHouseServer.start();
        java.nio.file.Path spool = java.nio.file.Files.createTempDirectory("analytics-spool");
        String toml = TestGateway.mockModel(a) + "[clickhouse]\nflush_interval_ms = 100\nspool_dir = \"" + spool + "\"\n";
        Map<String, String> env = Map.of("TENSORZERO_CLICKHOUSE_URL", clickhouse.url("spooled"));
        TestGateway first = fx.start(toml, env);
        assertEquals(200, first.post("/v1/chat/completions", CHAT).statusCode());
        within(15_000, () -> rows("spooled") == 1, "the first row");

        clickhouse.down();
        for (int i = 0; i < 100; i++) {
            assertEquals(200, first.post("/v1/chat/completions", CHAT).statusCode());
        }
        within(5_000, () -> batches(spool) > 0, "rows on disk");
        first.stopAndWait(); // shut down while ClickHouse is away: what is queued goes to the spool
        TestGateway second = fx.start(toml, env);
        for (int i = 0; i < 20; i++) {
            assertEquals(200, second.post("/v1/chat/completions", CHAT).statusCode());
        }
        clickhouse.up();
        within(40_000, () -> rows("spooled") == 121, "every row after the outage and the restart");
        // A batch whose insert ClickHouse applied as it was killed is sent again: one row per id once merged.
        assertEquals("121", clickhouse.query("SELECT count() FROM spooled.GatewayAnalytics FINAL"), "each once");
        within(5_000, () -> batches(spool) == 0, "the spool is empty again");
    }
}
