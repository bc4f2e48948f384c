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
}
