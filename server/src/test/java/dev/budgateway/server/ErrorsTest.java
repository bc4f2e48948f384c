package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.budgateway.plugins.spi.Json;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every error is OpenAI-shaped, with the right status, and leaks nothing. */
class ErrorsTest {

    static final String UPSTREAM_KEY = "sk-upstream-secret-123456";
    static MockOpenAi upstream;
    static TestGateway gw;
    static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        String toml = "[gateway]\nbind_address = \"127.0.0.1:0\"\nplugins_dir = \"/nonexistent\"\n"
                + "max_body_bytes = 2000000\n"
                + "[models.mock]\nrouting = [\"up\"]\n[models.mock.providers.up]\ntype = \"openai\"\napi_base = \""
                + upstream.apiBase() + "\"\nmodel_name = \"mock-model\"\napi_key_location = \"env::UPSTREAM_KEY\"\n"
                + "timeouts = { non_streaming = { total_ms = 500 }, streaming = { ttft_ms = 500 } }\n"
                + "[models.dead]\nrouting = [\"gone\"]\n[models.dead.providers.gone]\ntype = \"openai\"\n"
                + "api_base = \"http://127.0.0.1:" + deadPort + "/v1\"\nmodel_name = \"x\"\napi_key_location = \"none\"\n"
                + "[models.embed-only]\nrouting = [\"d\"]\nendpoints = [\"embedding\"]\n"
                + "[models.embed-only.providers.d]\ntype = \"dummy\"\nmodel_name = \"echo\"\n";
        gw = TestGateway.start(toml, Map.of("UPSTREAM_KEY", UPSTREAM_KEY));
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.received.clear();
        upstream.answerChat("ok");
    }

    private static final String CHAT = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    /** Asserts the OpenAI error shape and returns the error object. */
    static JsonNode error(java.net.http.HttpResponse<String> res, int status) throws Exception {
        assertEquals(status, res.statusCode(), res.body());
        assertTrue(res.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode e = Json.parse(res.body().getBytes(StandardCharsets.UTF_8)).path("error");
        assertTrue(e.path("message").isTextual(), res.body());
        assertTrue(e.path("type").isTextual(), res.body());
        assertTrue(e.has("code"), res.body());
        assertFalse(res.body().contains("Exception"), "no exception names: " + res.body());
        assertFalse(res.body().contains("\tat "), "no stack traces: " + res.body());
        assertFalse(res.body().contains(UPSTREAM_KEY), "no secrets: " + res.body());
        return e;
    }

    @Test
    void providerKeyGoesUpstreamAndClientKeyDoesNot() throws Exception {
        gw.post("/v1/chat/completions", CHAT, "authorization", "Bearer client-key");
        assertEquals("Bearer " + UPSTREAM_KEY, upstream.received.get(0).authorization());
    }

    @Test
    void invalidJsonIs400() throws Exception {
        JsonNode e = error(gw.post("/v1/chat/completions", "{\"model\": \"mock\", "), 400);
        assertEquals("invalid_request_error", e.path("type").asText());
        assertTrue(e.path("message").asText().contains("Invalid JSON"));
        error(gw.post("/v1/chat/completions", "[1,2]"), 400);
        error(gw.post("/v1/chat/completions", ""), 400);
    }

    @Test
    void missingOrMistypedFieldsAre400NamingTheField() throws Exception {
        assertTrue(error(gw.post("/v1/chat/completions", "{\"messages\":[]}"), 400).path("message").asText()
                .contains("'model'"));
        assertTrue(error(gw.post("/v1/chat/completions", "{\"model\":\"mock\"}"), 400).path("message").asText()
                .contains("'messages'"));
        assertTrue(error(gw.post("/v1/chat/completions", "{\"model\":\"mock\",\"messages\":[{\"content\":\"x\"}]}"), 400)
                .path("message").asText().contains("role"));
        assertTrue(error(gw.post("/v1/chat/completions", "{\"model\":\"mock\",\"stream\":\"yes\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"x\"}]}"), 400).path("message").asText().contains("stream"));
        assertTrue(error(gw.post("/v1/embeddings", "{\"model\":\"mock\"}"), 400).path("message").asText()
                .contains("'input'"));
        assertTrue(error(gw.post("/v1/completions", "{\"model\":\"mock\"}"), 400).path("message").asText()
                .contains("'prompt'"));
        assertTrue(upstream.received.isEmpty(), "invalid requests never reach the upstream");
    }

    @Test
    void unknownModelIs404AndTheSdkRaisesNotFound() throws Exception {
        JsonNode e = error(gw.post("/v1/chat/completions", CHAT.replace("mock", "no-such-model")), 404);
        assertEquals("model_not_found", e.path("code").asText());
        assertThrows(NotFoundException.class, () -> gw.sdk().chat().completions().create(
                ChatCompletionCreateParams.builder().model("no-such-model").addUserMessage("x").build()));
    }

    @Test
    void modelAskedForAnEndpointItDoesNotServeIs400() throws Exception {
        JsonNode e = error(gw.post("/v1/chat/completions", CHAT.replace("mock", "embed-only")), 400);
        assertTrue(e.path("message").asText().contains("embed-only") && e.path("message").asText().contains("chat"));
    }

    @Test
    void bodyOverTheLimitIs413AndAOneMegabyteBodyPasses() throws Exception {
        String big = "x".repeat(1024 * 1024);
        java.net.http.HttpResponse<String> ok = gw.post("/v1/chat/completions",
                "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(big, upstream.received.get(0).json().path("messages").path(0).path("content").asText());

        String tooBig = "y".repeat(2_100_000);
        error(gw.post("/v1/chat/completions", "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + tooBig + "\"}]}"), 413);
        assertEquals(1, upstream.received.size(), "the oversized request never reached the upstream");
    }

    @Test
    void upstream4xxIsPassedThroughWithItsMessageAndScrubbedOfTheKey() throws Exception {
        upstream.handle((ctx, r) -> MockOpenAi.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: "
                + UPSTREAM_KEY + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
        JsonNode e = error(gw.post("/v1/chat/completions", CHAT), 401);
        assertEquals("invalid_api_key", e.path("code").asText());
        assertTrue(e.path("message").asText().contains("Incorrect API key provided: ***"));
        assertThrows(UnauthorizedException.class, () -> gw.sdk().chat().completions().create(
                ChatCompletionCreateParams.builder().model("mock").addUserMessage("x").build()));

        upstream.handle((ctx, r) -> MockOpenAi.json(400, "{\"error\":{\"message\":\"max_tokens is too large\","
                + "\"type\":\"invalid_request_error\",\"param\":\"max_tokens\",\"code\":null}}"));
        assertEquals("max_tokens is too large", error(gw.post("/v1/chat/completions", CHAT), 400).path("message")
                .asText());
        assertThrows(BadRequestException.class, () -> gw.sdk().chat().completions().create(
                ChatCompletionCreateParams.builder().model("mock").addUserMessage("x").build()));
    }

    @Test
    void upstream429KeepsItsRetryAfter() throws Exception {
        upstream.handle((ctx, r) -> HttpResponse.of(com.linecorp.armeria.common.ResponseHeaders.builder(429)
                .contentType(com.linecorp.armeria.common.MediaType.JSON_UTF_8).add("retry-after", "7").build(),
                com.linecorp.armeria.common.HttpData.ofUtf8("{\"error\":{\"message\":\"slow down\"}}")));
        java.net.http.HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
        error(res, 429);
        assertEquals("7", res.headers().firstValue("retry-after").orElse(null));
        assertThrows(RateLimitException.class, () -> gw.sdk().chat().completions().create(
                ChatCompletionCreateParams.builder().model("mock").addUserMessage("x").build()));
    }

    @Test
    void upstream5xxIs502() throws Exception {
        upstream.handle((ctx, r) -> MockOpenAi.json(500, "{\"error\":{\"message\":\"boom\"}}"));
        JsonNode e = error(gw.post("/v1/chat/completions", CHAT), 502);
        assertTrue(e.path("message").asText().contains("boom"));
    }

    @Test
    void connectionRefusedIs502() throws Exception {
        JsonNode e = error(gw.post("/v1/chat/completions", CHAT.replace("mock", "dead")), 502);
        assertEquals("upstream_unreachable", e.path("code").asText());
    }

    @Test
    void upstreamTimeoutIs504() throws Exception {
        upstream.handle((ctx, r) -> HttpResponse.delayed(MockOpenAi.json(200, MockOpenAi.chatCompletion("late")),
                Duration.ofSeconds(3)));
        long start = System.nanoTime();
        JsonNode e = error(gw.post("/v1/chat/completions", CHAT), 504);
        assertEquals("timeout_error", e.path("type").asText());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 2500, "timed out at total_ms, not later");
    }

    @Test
    void streamWithoutAFirstTokenInTimeIs504() throws Exception {
        // ttft_ms counts until the first event: here the whole stream starts 2 s late.
        upstream.handle((ctx, r) -> HttpResponse.delayed(upstream.sse(ctx, MockOpenAi.chatEvents(java.util.List.of(
                "late"), false), 0, 0), Duration.ofSeconds(2)));
        JsonNode e = error(gw.post("/v1/chat/completions", CHAT.replace("{\"model\"", "{\"stream\":true,\"model\"")),
                504);
        assertTrue(e.path("message").asText().contains("first token"), e.toString());
    }

    @Test
    void unknownPathsAndWrongMethodsAreOpenAiShapedToo() throws Exception {
        error(gw.get("/v1/nope"), 404);
        error(gw.get("/v1/chat/completions"), 405);
    }
}
