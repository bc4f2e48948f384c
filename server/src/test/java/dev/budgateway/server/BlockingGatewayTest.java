package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.budgateway.plugins.spi.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Blocking rules in a whole gateway: the answer in each client API's shape, with the Rust gateway's headers. */
class BlockingGatewayTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();

    static final String CHAIN = "[[filters]]\ntype = \"client-info\"\n[[filters]]\ntype = \"blocking\"\n"
            + "rules = [{ id = \"no-scanners\", name = \"scanners\", rule_type = \"USER_AGENT_BLOCKING\", priority = 5, "
            + "config = { patterns = [\"*scanner*\"] } }, { id = \"watch-local\", rule_type = \"IP_BLOCKING\", "
            + "action = \"log\", config = { ips = [\"127.0.0.1\"] } }]\n"
            + "[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n";

    @Test
    void aBlockedRequestGetsA403InItsClientsShapeAndOthersGoThrough() throws Exception {
        TestGateway gw = fx.start(TestGateway.mockModel(a) + CHAIN);
        HttpResponse<String> blocked = gw.post("/v1/chat/completions", "{\"model\":\"mock\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}", "user-agent", "Mass Scanner 2.0");
        assertEquals(403, blocked.statusCode());
        JsonNode error = Json.MAPPER.readTree(blocked.body()).path("error");
        assertEquals("forbidden", error.path("type").asText(), blocked.body());
        assertEquals("blocked", error.path("code").asText());
        assertEquals("User agent is blocked", error.path("message").asText());
        assertEquals("User agent is blocked", blocked.headers().firstValue("x-block-reason").orElseThrow());
        assertEquals("no-scanners", blocked.headers().firstValue("x-blocked-by-rule").orElseThrow());
        assertEquals(0, a.received.size(), "nothing reached the upstream");

        // The SDKs' own agents pass; the log-only rule on the loopback address does not block them.
        var openai = gw.sdk();
        assertEquals("from a", openai.chat().completions().create(ChatCompletionCreateParams.builder().model("mock")
                .addUserMessage("hi").build()).choices().get(0).message().content().orElse(""));

        var claude = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl).apiKey("k").maxRetries(0)
                .timeout(Duration.ofSeconds(20)).putHeader("user-agent", "scanner-bot").build();
        com.anthropic.errors.PermissionDeniedException e = assertThrows(
                com.anthropic.errors.PermissionDeniedException.class, () -> claude.messages().create(
                        MessageCreateParams.builder().model("mock").maxTokens(20).addUserMessage("hi").build()));
        assertTrue(e.getMessage().contains("User agent is blocked"), e.getMessage());
    }
}
