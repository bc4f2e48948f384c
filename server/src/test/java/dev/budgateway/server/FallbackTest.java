package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.HttpResponse;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fallback filter tries the next candidate when one fails in a way another could avoid. */
class FallbackTest {

    static MockOpenAi primary;
    static MockOpenAi secondary;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        primary = new MockOpenAi();
        secondary = new MockOpenAi();
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        gw = TestGateway.start("[models.m]\nrouting = [\"primary\", \"secondary\"]\n"
                + provider("primary", primary.apiBase()) + provider("secondary", secondary.apiBase())
                + "[models.refused]\nrouting = [\"dead\", \"alive\"]\n"
                + "[models.refused.providers.dead]\ntype = \"vllm\"\napi_base = \"http://127.0.0.1:" + dead
                + "/v1\"\nmodel_name = \"x\"\n"
                + "[models.refused.providers.alive]\ntype = \"dummy\"\nmodel_name = \"echo\"\n"
                + "[models.budget]\nrouting = [\"slow\", \"fast\"]\ntimeouts = { non_streaming = { total_ms = 300 } }\n"
                + "[models.budget.providers.slow]\ntype = \"dummy\"\nmodel_name = \"slow_1000\"\n"
                + "[models.budget.providers.fast]\ntype = \"dummy\"\nmodel_name = \"echo\"\n");
    }

    /** A provider of model {@code m} with a 400 ms timeout. */
    private static String provider(String name, String apiBase) {
        return "[models.m.providers." + name + "]\ntype = \"openai\"\napi_base = \"" + apiBase
                + "\"\nmodel_name = \"" + name + "-model\"\napi_key_location = \"none\"\n"
                + "timeouts = { non_streaming = { total_ms = 400 } }\n";
    }

    @AfterAll
    static void stop() {
        gw.close();
        primary.close();
        secondary.close();
    }

    @BeforeEach
    void reset() {
        primary.received.clear();
        secondary.received.clear();
        primary.answerChat("from primary");
        secondary.answerChat("from secondary");
    }

    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void theFirstCandidateServesWhenHealthy() throws Exception {
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
        assertTrue(res.body().contains("from primary"));
        assertEquals("primary", res.headers().firstValue("x-gateway-provider").orElse(null));
        assertEquals("1", res.headers().firstValue("x-gateway-attempts").orElse(null));
        assertEquals(0, secondary.received.size());
    }

    @Test
    void a500FallsBackToTheNextCandidate() throws Exception {
        primary.handle((ctx, r) -> MockOpenAi.json(500, "{\"error\":{\"message\":\"down\"}}"));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(200, res.statusCode());
        assertTrue(res.body().contains("from secondary"));
        assertEquals("secondary", res.headers().firstValue("x-gateway-provider").orElse(null));
        assertEquals("2", res.headers().firstValue("x-gateway-attempts").orElse(null));
        assertEquals("secondary-model", secondary.received.get(0).json().path("model").asText());
    }

    @Test
    void aTimeoutFallsBackToo() throws Exception {
        primary.handle((ctx, r) -> HttpResponse.delayed(MockOpenAi.json(200, MockOpenAi.chatCompletion("late")),
                Duration.ofSeconds(2)));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
        assertTrue(res.body().contains("from secondary"), res.body());
    }

    @Test
    void aStreamFailingBeforeItStartsFallsBack() throws Exception {
        primary.handle((ctx, r) -> MockOpenAi.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions",
                CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""));
        assertEquals("from secondary", StreamingTest.contentOf(res.body()));
    }

    @Test
    void aStreamCutBeforeItsFirstContentFallsBackInvisibly() throws Exception {
        // The primary sends its role chunk, then its connection ends without content or [DONE].
        primary.handle((ctx, r) -> primary.stream(ctx, java.util.List.of(MockOpenAi.sseBytes(java.util.List.of(
                MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}", null)))), 0));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions",
                CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""));
        assertEquals(200, res.statusCode());
        assertEquals("from secondary", StreamingTest.contentOf(res.body()));
        assertEquals(1, res.body().split("\"role\":\"assistant\"", -1).length - 1, "one role chunk, the secondary's");
        assertEquals("secondary", res.headers().firstValue("x-gateway-provider").orElse(null));
    }

    @Test
    void aStreamFailingAfterContentEndsWithAnErrorEventInsteadOfFallingBack() throws Exception {
        primary.handle((ctx, r) -> primary.stream(ctx, java.util.List.of(MockOpenAi.sseBytes(java.util.List.of(
                MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
                MockOpenAi.chunk("{\"content\":\"partial\"}", null)))), 0));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions",
                CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""));
        assertTrue(res.body().contains("partial") && res.body().contains("upstream_stream_truncated"), res.body());
        assertEquals(0, secondary.received.size());
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        primary.handle((ctx, r) -> MockOpenAi.json(400, "{\"error\":{\"message\":\"bad request\"}}"));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(400, res.statusCode());
        assertEquals(0, secondary.received.size());
    }

    @Test
    void whenAllFailTheLastErrorSaysHowManyWereTried() throws Exception {
        primary.handle((ctx, r) -> MockOpenAi.json(500, "{\"error\":{\"message\":\"down\"}}"));
        secondary.handle((ctx, r) -> MockOpenAi.json(502, "{\"error\":{\"message\":\"also down\"}}"));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(502, res.statusCode());
        assertTrue(res.body().contains("All 2 attempts for model 'm' failed") && res.body().contains("also down"),
                res.body());
    }

    @Test
    void connectionRefusedFallsBack() throws Exception {
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT.replace("\"m\"", "\"refused\""));
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.body().contains("\"content\":\"hi\""));
    }

    @Test
    void theModelTimeoutBoundsAllAttemptsTogether() throws Exception {
        long start = System.nanoTime();
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT.replace("\"m\"", "\"budget\""));
        assertEquals(504, res.statusCode(), res.body());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 900);
    }
}
