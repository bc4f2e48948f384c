package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retries, circuit breakers, load balancing, health checks, fallback models and stall timeouts, against
 * real upstream servers that fail in controlled ways.
 */
class ResilienceTest {

    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final MockOpenAi b = fx.b();
    TestGateway gw;

    private static String provider(String model, String name, MockOpenAi up, String extra) {
        return "[models." + model + ".providers." + name + "]\ntype = \"openai\"\napi_base = \"" + up.apiBase()
                + "\"\nmodel_name = \"" + name + "-model\"\napi_key_location = \"none\"\n" + extra;
    }

    private static long chats(MockOpenAi up) {
        return up.received.stream().filter(r -> r.path().endsWith("/chat/completions")).count();
    }

    private static JsonNode json(String body) throws Exception {
        return Json.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse status(int status, String retryAfter) {
        ResponseHeaders headers = retryAfter == null
                ? ResponseHeaders.of(HttpStatus.valueOf(status), "content-type", "application/json")
                : ResponseHeaders.of(HttpStatus.valueOf(status), "content-type", "application/json", "retry-after",
                        retryAfter);
        return HttpResponse.of(headers, HttpData.ofUtf8("{\"error\":{\"message\":\"status " + status + "\"}}"));
    }

    // ---- retries

    @Test
    void providerRetriesRecoverFromTransientFailures() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\"]\n"
                + provider("m", "a", a, "retries = { num_retries = 2, max_delay_s = 1 }\n"));
        int[] calls = {0};
        a.handle((ctx, r) -> ++calls[0] <= 2 ? status(500, null) : MockOpenAi.json(200,
                MockOpenAi.chatCompletion("third time lucky")));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.body().contains("third time lucky"));
        assertEquals(3, chats(a));
        assertEquals("3", res.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertTrue(gw.get("/metrics").body().contains(
                "budgateway_request_extra_attempts_total{model=\"m\",provider=\"a\",status=\"200\"} 2.0"),
                "the two retries are counted");
    }

    @Test
    void a400IsNeverRetried() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\", \"b\"]\nretries = { num_retries = 3 }\n"
                + provider("m", "a", a, "retries = { num_retries = 3 }\n") + provider("m", "b", b, ""));
        a.handle((ctx, r) -> status(400, null));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(400, res.statusCode());
        assertEquals(1, chats(a));
        assertEquals(0, chats(b));
    }

    @Test
    void retryAfterIsHonouredWithinTheCap() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\"]\n"
                + provider("m", "a", a, "retries = { num_retries = 1, max_delay_s = 2 }\n"));
        List<Long> times = new ArrayList<>();
        a.handle((ctx, r) -> {
            if (!r.path().endsWith("/chat/completions")) {
                return status(404, null);
            }
            times.add(System.nanoTime());
            return times.size() == 1 ? status(429, "1") : MockOpenAi.json(200, MockOpenAi.chatCompletion("ok"));
        });
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(200, res.statusCode(), res.body());
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(times.get(1) - times.get(0));
        assertTrue(waitedMs >= 950 && waitedMs < 1900, "waited " + waitedMs + " ms for Retry-After: 1");
    }

    @Test
    void aRetryAfterLongerThanTheCapMovesOnAtOnce() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\", \"b\"]\n"
                + provider("m", "a", a, "retries = { num_retries = 3, max_delay_s = 1 }\n") + provider("m", "b", b, ""));
        a.handle((ctx, r) -> status(429, "120"));
        long start = System.nanoTime();
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.body().contains("from b"));
        assertEquals(1, chats(a), "no retry of an upstream that asked for two minutes");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 900);
    }

    @Test
    void modelRetriesPassOverTheWholeRoutingListAgain() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\", \"b\"]\nretry_config = { num_retries = 1, max_delay_s = 0.2 }\n"
                + provider("m", "a", a, "") + provider("m", "b", b, ""));
        int[] calls = {0};
        a.handle((ctx, r) -> ++calls[0] == 1 ? status(503, null) : MockOpenAi.json(200,
                MockOpenAi.chatCompletion("a again")));
        b.handle((ctx, r) -> status(502, null));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.body().contains("a again"));
        assertEquals(2, chats(a));
        assertEquals(1, chats(b));
    }

    // ---- fallback models

    @Test
    void fallbackModelsTakeOverWhenAModelsProvidersAreExhausted() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\"]\nfallback_models = [\"backup\"]\n"
                + provider("m", "a", a, "") + "[models.backup]\nrouting = [\"b\"]\n" + provider("backup", "b", b, ""));
        a.handle((ctx, r) -> status(500, null));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.body().contains("from b"));
        assertEquals("backup", res.headers().firstValue("x-gateway-model").orElseThrow());
        assertEquals("b", res.headers().firstValue("x-gateway-provider").orElseThrow());
    }

    @Test
    void fallbackChainsAreFallbackModelsToo() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\"]\n" + provider("m", "a", a, "")
                + "[models.backup]\nrouting = [\"b\"]\n" + provider("backup", "b", b, "")
                + "[[fallback_chains]]\nprimary = \"m\"\nfallbacks = [\"backup\"]\n");
        a.handle((ctx, r) -> status(503, null));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertTrue(res.body().contains("from b"), res.body());
    }

    @Test
    void fallbackCyclesAreConfigErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.start(
                "[models.x]\nrouting = [\"d\"]\nfallback_models = [\"y\"]\n[models.x.providers.d]\ntype = \"dummy\"\n"
                        + "model_name = \"echo\"\n[models.y]\nrouting = [\"d\"]\nfallback_models = [\"x\"]\n"
                        + "[models.y.providers.d]\ntype = \"dummy\"\nmodel_name = \"echo\"\n"));
        assertTrue(e.getMessage().contains("cycle: x → y → x"), e.getMessage());
    }

    // ---- circuit breaker

    @Test
    void theBreakerOpensSkipsHalfOpensAndCloses() throws Exception {
        gw = fx.start("[circuit_breaker]\nfailure_threshold = 3\ntimeout_duration = 0.5\n"
                + "half_open_max_calls = 1\n[models.m]\nrouting = [\"a\", \"b\"]\n" + provider("m", "a", a, "")
                + provider("m", "b", b, ""));
        a.handle((ctx, r) -> status(500, null));
        for (int i = 0; i < 3; i++) {
            assertTrue(gw.post("/v1/chat/completions", CHAT).body().contains("from b"));
        }
        assertEquals(3, chats(a));
        JsonNode health = json(gw.get("/health").body());
        assertEquals(1, health.path("upstreams_unavailable").asInt(), health.toString());
        assertTrue(gw.get("/metrics").body().contains("budgateway_upstream_circuit_state{model=\"m\",provider=\"a\""));

        // Open: a is skipped without being called.
        var skipped = gw.post("/v1/chat/completions", CHAT);
        assertTrue(skipped.body().contains("from b"));
        assertEquals(3, chats(a));

        // After timeout_duration a trial request reaches a; it succeeds and the breaker closes.
        Thread.sleep(600);
        a.answerChat("a is back");
        assertTrue(gw.post("/v1/chat/completions", CHAT).body().contains("a is back"));
        assertEquals(4, chats(a));
        assertEquals("closed", json(gw.get("/admin/upstreams").body()).path("upstreams").path(0).path("circuit")
                .asText());
        assertTrue(gw.post("/v1/chat/completions", CHAT).body().contains("a is back"));
    }

    // ---- load balancing

    private String replicas(String strategy, String extra) {
        return "[models.m]\nrouting = [\"pool\"]\nload_balancing = \"" + strategy + "\"\n"
                + "[models.m.providers.pool]\ntype = \"openai\"\nmodel_name = \"x\"\napi_key_location = \"none\"\n"
                + "endpoints = [{ url = \"" + a.apiBase() + "\", weight = 3 }, { url = \"" + b.apiBase()
                + "\", weight = 1 }]\n" + extra;
    }

    /** Sends {@code n} requests, {@code concurrency} at a time. */
    private void load(int n, int concurrency) throws Exception {
        Semaphore permits = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            permits.acquire();
            HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
            all.add(gw.http().sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, t) -> permits.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }

    @Test
    void weightedBalancingFollowsTheWeights() throws Exception {
        gw = fx.start(replicas("weighted", ""));
        load(10_000, 32);
        double share = chats(a) / 10_000.0;
        assertEquals(10_000, chats(a) + chats(b));
        assertTrue(Math.abs(share - 0.75) < 0.05 * 0.75, "weight 3 of 4 got " + share);
    }

    @Test
    void leastConnectionsAvoidsTheSlowReplica() throws Exception {
        gw = fx.start(replicas("least_connections", ""));
        a.handle((ctx, r) -> HttpResponse.delayed(MockOpenAi.json(200, MockOpenAi.chatCompletion("slow")),
                Duration.ofMillis(300)));
        load(60, 6);
        assertTrue(chats(b) >= 3 * chats(a), "slow a got " + chats(a) + ", fast b got " + chats(b));
    }

    @Test
    void aFailingHealthCheckTakesAReplicaOutAndItsRecoveryBringsItBack() throws Exception {
        boolean[] aHealthy = {true};
        a.handle((ctx, r) -> r.path().equals("/health") ? status(aHealthy[0] ? 200 : 503, null)
                : MockOpenAi.json(200, MockOpenAi.chatCompletion("from a")));
        b.handle((ctx, r) -> r.path().equals("/health") ? status(200, null)
                : MockOpenAi.json(200, MockOpenAi.chatCompletion("from b")));
        gw = fx.start(replicas("round_robin", "health_check_path = \"/health\"\n"
                + "health_check_interval = 0.1\n"));
        load(20, 1);
        assertTrue(chats(a) >= 8, "both in rotation: a got " + chats(a));

        aHealthy[0] = false;
        Thread.sleep(400);
        a.received.clear();
        b.received.clear();
        load(20, 1);
        assertEquals(0, chats(a), "an unhealthy replica gets nothing");
        assertEquals(20, chats(b));
        assertTrue(json(gw.get("/health").body()).path("upstreams_unavailable").asInt() == 1);

        aHealthy[0] = true;
        Thread.sleep(400);
        a.received.clear();
        load(20, 1);
        assertTrue(chats(a) >= 8, "back in rotation: a got " + chats(a));
    }

    // ---- streams

    @Test
    void aStreamThatStallsBeforeItsFirstTokenFallsBackInvisibly() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\", \"b\"]\n"
                + provider("m", "a", a, "timeouts = { streaming = { stall_ms = 300 } }\n") + provider("m", "b", b, ""));
        // a sends its role chunk, then nothing: the stall timer fires before any content.
        a.handle((ctx, r) -> a.sse(ctx, List.of(MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                MockOpenAi.chunk("{\"content\":\"late\"}", null)), 0, 5_000));
        var res = gw.post("/v1/chat/completions", STREAM);
        assertEquals(200, res.statusCode());
        assertTrue(res.body().contains("from") && res.body().contains("b"), res.body());
        assertTrue(!res.body().contains("late") && !res.body().contains("\"error\""), res.body());
        assertEquals("b", res.headers().firstValue("x-gateway-provider").orElseThrow());
    }

    @Test
    void aStreamThatStallsAfterContentEndsWithAnErrorEvent() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"a\", \"b\"]\n"
                + provider("m", "a", a, "timeouts = { streaming = { stall_ms = 300 } }\n") + provider("m", "b", b, ""));
        // Role and some content at once, then a second of silence.
        a.handle((ctx, r) -> a.stream(ctx, List.of(MockOpenAi.sseBytes(List.of(
                MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                MockOpenAi.chunk("{\"content\":\"partial \"}", null))),
                MockOpenAi.sseBytes(List.of(MockOpenAi.chunk("{\"content\":\"never\"}", null)))), 1_000));
        long start = System.nanoTime();
        var res = gw.post("/v1/chat/completions", STREAM);
        assertTrue(res.body().contains("partial"), res.body());
        assertTrue(res.body().contains("\"error\"") && res.body().contains("sent nothing for 300 ms"), res.body());
        assertTrue(res.body().endsWith("data: [DONE]\n\n"), res.body());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1_500);
    }

    @Test
    void resumeContinuesABrokenStreamOnTheNextCandidateWithThePartialAnswerAsPrefill() throws Exception {
        gw = fx.start("[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\nresume = true\n"
                + "[models.m]\nrouting = [\"a\", \"b\"]\n"
                + "[models.m.providers.a]\ntype = \"vllm\"\napi_base = \"" + a.apiBase() + "\"\nmodel_name = \"x\"\n"
                + "[models.m.providers.b]\ntype = \"vllm\"\napi_base = \"" + b.apiBase() + "\"\nmodel_name = \"y\"\n");
        // a says "Hello, " and then its stream is cut: no finish_reason, no [DONE].
        a.handle((ctx, r) -> a.sse(ctx, List.of(MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                MockOpenAi.chunk("{\"content\":\"Hello, \"}", null)), 0, 0));
        b.handle((ctx, r) -> b.sse(ctx, MockOpenAi.chatEvents(List.of("world", "!"), false), 0, 0));
        var res = gw.post("/v1/chat/completions", STREAM);
        assertEquals(200, res.statusCode());
        StringBuilder text = new StringBuilder();
        int roles = 0;
        for (String line : res.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode delta = json(line.substring(6)).path("choices").path(0).path("delta");
                text.append(delta.path("content").asText(""));
                roles += delta.has("role") ? 1 : 0;
            }
        }
        assertEquals("Hello, world!", text.toString(), res.body());
        assertEquals(1, roles, "one answer: the continuation's role chunk is not repeated");
        assertTrue(!res.body().contains("\"error\""), res.body());
        JsonNode sent = b.received.get(0).json();
        JsonNode last = sent.path("messages").path(sent.path("messages").size() - 1);
        assertEquals("assistant", last.path("role").asText());
        assertEquals("Hello, ", last.path("content").asText());
        assertTrue(sent.path("continue_final_message").asBoolean());
        assertTrue(!sent.path("add_generation_prompt").asBoolean(true));
    }
}
