package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.TextBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /v1/messages} specifics: pass-through to Anthropic, Anthropic-shaped errors, request checks. */
class MessagesApiTest {

    static MockOpenAi claude;
    static MockOpenAi openai;
    static TestGateway gw;
    static AnthropicClient client;

    @BeforeAll
    static void start() throws Exception {
        claude = new MockOpenAi();
        openai = new MockOpenAi();
        gw = TestGateway.start(ProviderFixtures.ANTHROPIC.config(claude) + ProviderFixtures.OPENAI.config(openai),
                ProviderFixtures.ENV);
        client = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl).apiKey("client-key").maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    @AfterAll
    static void stop() {
        gw.close();
        claude.close();
        openai.close();
    }

    @BeforeEach
    void reset() {
        claude.received.clear();
        claude.handle((ctx, r) -> ProviderFixtures.ANTHROPIC.answer(claude, ctx, r));
    }

    @Test
    void anthropicUpstreamsGetTheClientsOwnRequest() {
        client.messages().create(MessageCreateParams.builder().model("anthropic").maxTokens(100)
                .systemOfTextBlockParams(List.of(TextBlockParam.builder().text("Long cached preamble")
                        .cacheControl(CacheControlEphemeral.builder().build()).build()))
                .addUserMessage("Hi").putAdditionalHeader("anthropic-beta", "interleaved-thinking-2025-05-14")
                .build());
        JsonNode sent = claude.received.get(0).json();
        assertEquals("claude-x", sent.path("model").asText());
        assertEquals("ephemeral", sent.path("system").path(0).path("cache_control").path("type").asText(),
                "what the translation cannot carry survives: the original request is sent");
        assertEquals("ak", claude.received.get(0).header("x-api-key"));
        assertEquals("interleaved-thinking-2025-05-14", claude.received.get(0).header("anthropic-beta"),
                "the client's beta features go with its request");
    }

    @Test
    void aSystemMessageInsideMessagesWorksOnBothRoutes() {
        openai.received.clear();
        openai.handle((ctx, r) -> ProviderFixtures.OPENAI.answer(openai, ctx, r));
        for (String model : List.of("anthropic", "openai")) {
            MessageCreateParams params = MessageCreateParams.builder().model(model).maxTokens(100)
                    .addUserMessage("Hi")
                    .addSystemMessage("Answer in French.")
                    .build();
            assertEquals(ProviderFixtures.TEXT, client.messages().create(params).content().get(0).asText().text());
            com.anthropic.helpers.MessageAccumulator acc = com.anthropic.helpers.MessageAccumulator.create();
            try (var s = client.messages().createStreaming(params)) {
                s.stream().forEach(acc::accumulate);
            }
            assertEquals(ProviderFixtures.TEXT, acc.message().content().get(0).asText().text());
        }
        assertEquals(2, claude.received.size());
        assertEquals("system", claude.received.get(0).json().path("messages").path(1).path("role").asText(),
                "Anthropic gets the message as the client sent it");
        JsonNode toOpenAi = openai.received.get(1).json().path("messages");
        assertEquals("system", toOpenAi.path(1).path("role").asText(), toOpenAi.toString());
        assertEquals("Answer in French.", toOpenAi.path(1).path("content").asText());
    }

    @Test
    void errorsHaveAnthropicsShape() throws Exception {
        assertThrows(NotFoundException.class, () -> client.messages().create(MessageCreateParams.builder()
                .model("no-such-model").maxTokens(10).addUserMessage("Hi").build()));

        claude.handle((ctx, r) -> MockOpenAi.json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
                + "\"message\":\"slow down\"}}"));
        RateLimitException limited = assertThrows(RateLimitException.class, () -> client.messages().create(
                MessageCreateParams.builder().model("anthropic").maxTokens(10).addUserMessage("Hi").build()));
        assertTrue(limited.getMessage().contains("slow down"), limited.getMessage());

        var missing = gw.post("/v1/messages", "{\"model\":\"openai\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\"}]}");
        assertEquals(400, missing.statusCode());
        JsonNode body = Json.parse(missing.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("error", body.path("type").asText());
        assertEquals("invalid_request_error", body.path("error").path("type").asText());
        assertTrue(body.path("error").path("message").asText().contains("max_tokens"), missing.body());
    }

    @Test
    void thinkingComesBackWithItsSignatureSoTheNextTurnIsAccepted() {
        claude.handle((ctx, r) -> r.json().path("stream").asBoolean() ? claude.namedEvents(ctx, List.of(
                new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_t\",\"type\":"
                        + "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-x\",\"stop_reason\":null,"
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}"},
                new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"thinking\",\"thinking\":\"\"}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"}}"},
                new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"},
                new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                        + "{\"type\":\"text\",\"text\":\"\"}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":\"42\"}}"},
                new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"},
                new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}"},
                new String[] {"message_stop", "{\"type\":\"message_stop\"}"}), 0)
                : MockOpenAi.json(200, "{\"id\":\"msg_u\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                        + "\"claude-x\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Hmm.\",\"signature\":"
                        + "\"sig-unary\"},{\"type\":\"text\",\"text\":\"42\"}],\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}"));
        MessageCreateParams params = MessageCreateParams.builder().model("anthropic").maxTokens(2000)
                .addUserMessage("What is the answer?").build();
        var unary = client.messages().create(params);
        assertEquals("sig-unary", unary.content().get(0).asThinking().signature());
        assertEquals("42", unary.content().get(1).asText().text());

        com.anthropic.helpers.MessageAccumulator acc = com.anthropic.helpers.MessageAccumulator.create();
        try (var s = client.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        var streamed = acc.message();
        assertEquals("Let me think.", streamed.content().get(0).asThinking().thinking());
        assertEquals("EqQBCgIYAhIM1gbcDa9GJwZA2b3h", streamed.content().get(0).asThinking().signature());
        assertEquals("42", streamed.content().get(1).asText().text());
    }

    @Test
    void countTokensAsksAnthropicAndEstimatesForOthers() throws Exception {
        claude.handle((ctx, r) -> r.path().endsWith("/messages/count_tokens")
                ? MockOpenAi.json(200, "{\"input_tokens\":1234}") : MockOpenAi.json(404, "{}"));
        var counted = client.messages().countTokens(com.anthropic.models.messages.MessageCountTokensParams.builder()
                .model("anthropic").addUserMessage("How many tokens is this?").build());
        assertEquals(1234, counted.inputTokens());
        MockOpenAi.Received r = claude.received.get(0);
        assertEquals("/v1/messages/count_tokens", r.path());
        assertEquals("claude-x", r.json().path("model").asText());
        assertEquals("ak", r.header("x-api-key"));

        var estimated = gw.post("/v1/messages/count_tokens", "{\"model\":\"openai\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"" + "word ".repeat(100) + "\"}]}");
        assertEquals(200, estimated.statusCode());
        assertEquals("estimate", estimated.headers().firstValue("x-gateway-token-count").orElseThrow());
        long tokens = json(estimated.body()).path("input_tokens").asLong();
        assertTrue(tokens >= 100 && tokens <= 200, "about a quarter of the characters: " + tokens);

        // When Anthropic cannot count (an error), the gateway estimates rather than fail Claude Code's turn.
        claude.handle((ctx, rr) -> MockOpenAi.json(500, "{}"));
        var fallback = gw.post("/v1/messages/count_tokens", "{\"model\":\"anthropic\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi there\"}]}");
        assertEquals("estimate", fallback.headers().firstValue("x-gateway-token-count").orElseThrow());

        var unknown = gw.post("/v1/messages/count_tokens", "{\"model\":\"nope\",\"messages\":[]}");
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found_error", json(unknown.body()).path("error").path("type").asText());
    }

    @Test
    void messageStartCarriesAnInputEstimateWhenTheProviderReportsUsageOnlyAtTheEnd() throws Exception {
        openai.handle((ctx, r) -> ProviderFixtures.OPENAI.answer(openai, ctx, r));
        var res = gw.post("/v1/messages", "{\"model\":\"openai\",\"max_tokens\":100,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(100) + "\"}]}");
        String start = res.body().lines().filter(l -> l.startsWith("data: {\"type\":\"message_start\""))
                .findFirst().orElseThrow();
        long estimate = json(start.substring(6)).path("message").path("usage").path("input_tokens").asLong();
        assertTrue(estimate >= 100, start);
        assertTrue(res.body().contains("\"input_tokens\":10"), "the real count follows in message_delta");
    }

    private static JsonNode json(String s) throws Exception {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }
}
