package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.budgateway.filters.controlplane.BudappKeys;
import dev.budgateway.filters.controlplane.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rate limits and usage quotas in whole gateways: two replicas sharing one real redis-server, the official OpenAI
 * SDK reading the headers, and budapp's records for quotas.
 */
class LimitsGatewayTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final String KEY = "static-key-for-limits";
    static final String CHAT = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    RedisServer redis;

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    TestGateway gateway(String limits) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                KEY.getBytes(StandardCharsets.UTF_8)));
        TestGateway gw = fx.start("[redis]\nurl = \"" + redis.url() + "\"\n" + TestGateway.mockModel(a)
                + "[[filters]]\ntype = \"auth\"\nstatic_keys = [{ sha256 = \"" + sha + "\", name = \"ops\", "
                + "user = \"user-ops\" }]\n[[filters]]\ntype = \"usage-limits\"\n"
                + "[[filters]]\ntype = \"rate-limits\"\n" + limits
                + "[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n", Map.of());
        // Until its connection is up a gateway decides limits without Redis (on_redis_error): wait for it.
        within(10_000, () -> {
            try {
                return TestGateway.json(gw.get("/health").body()).path("dependencies").path("redis").asText().equals("ok");
            } catch (Exception e) {
                return false;
            }
        }, "redis ok in /health");
        return gw;
    }

    static OpenAIClient sdk(TestGateway gw, String key) {
        return OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gw.baseUrl + "/v1").maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    /** The status of a chat request with the control plane's key; -1 when it could not be sent. */
    static int status(TestGateway gw, String body) {
        try {
            return gw.post("/v1/chat/completions", body, "authorization", "Bearer bud-user-key").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static ChatCompletionCreateParams chat() {
        return ChatCompletionCreateParams.builder().model("mock").addUserMessage("hi").build();
    }

    @Test
    void aLimitHoldsAcrossTwoGatewaysAndTheSdkReadsItsHeaders() throws Exception {
        redis = RedisServer.start();
        String limits = "limits = [{ id = \"per-key\", scope = \"api_key\", requests_per_hour = 20, "
                + "algorithm = \"fixed_window\" }]\n";
        List<TestGateway> gateways = List.of(gateway(limits), gateway(limits));

        HttpResponseFor<ChatCompletion> raw = sdk(gateways.get(0), KEY).chat().completions().withRawResponse()
                .create(chat());
        assertEquals(200, raw.statusCode());
        assertEquals("20", raw.headers().values("x-ratelimit-limit-requests").get(0));
        assertEquals("19", raw.headers().values("x-ratelimit-remaining-requests").get(0));
        assertTrue(raw.headers().values("x-ratelimit-reset-requests").get(0).matches("\\d+(\\.\\d+)?m?s|\\d+m\\d+(\\.\\d+)?s"),
                raw.headers().values("x-ratelimit-reset-requests").toString());

        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            TestGateway gw = gateways.get(i % 2);
            sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create(gw.baseUrl + "/v1/chat/completions"))
                    .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        HttpResponse<String> refused = null;
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(429, r.statusCode(), r.body());
                refused = r;
            }
        }
        assertEquals(19, ok, "20 an hour across both gateways, the SDK's request included");
        JsonNode error = TestGateway.json(refused.body()).path("error");
        assertEquals("rate_limit_error", error.path("type").asText(), refused.body());
        assertEquals("rate_limit_exceeded", error.path("code").asText());
        assertTrue(error.path("message").asText().startsWith("Rate limit exceeded: per-key:rph allows 20"));
        long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
        assertEquals("0", refused.headers().firstValue("x-ratelimit-remaining").orElseThrow(),
                "the Rust gateway's X-RateLimit-Remaining");

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> sdk(gateways.get(1), KEY).chat().completions().create(chat()));
        assertEquals("0", e.headers().values("x-ratelimit-remaining-requests").get(0));
        assertTrue(e.getMessage().contains("rate_limit_exceeded") || e.getMessage().contains("Rate limit"),
                e.getMessage());
    }

    @Test
    void streamedUsageIsChargedToTokenLimits() throws Exception {
        redis = RedisServer.start();
        TestGateway gw = gateway("limits = [{ id = \"tokens\", scope = \"user\", tokens_per_minute = 1000 }]\n");
        OpenAIClient client = sdk(gw, KEY);
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat())) {
            s.stream().forEach(c -> { });
        }
        within(2_000, () -> {
            HttpResponseFor<ChatCompletion> r = client.chat().completions().withRawResponse().create(chat());
            return Long.parseLong(r.headers().values("x-ratelimit-remaining-tokens").get(0)) < 1000;
        }, "the stream's usage is charged though the client did not ask for it");
    }

    @Test
    void aControlPlaneQuotaAnswers402AndPassesAgainAfterItsReset() throws Exception {
        redis = RedisServer.start();
        redis.set("model_table:ep-1", BudappKeys.modelTable("ep-1", a.apiBase(), "upstream", "plain-secret"));
        redis.set(BudappKeys.apiKeyRedisKey("bud-user-key"), BudappKeys.apiKeyRecord("friendly", "ep-1", "key-1"));
        String spent = "{\"user_id\":\"user-1\",\"user_type\":\"client\",\"allowed\":true,\"status\":\"active\","
                + "\"tokens_quota\":1000,\"tokens_used\":1000,\"cost_quota\":null,\"cost_used\":0.0,\"update_id\":3,"
                + "\"reason\":null,\"reset_at\":null,\"last_updated\":null}";
        redis.set("usage_limit:user-1", spent);
        TestGateway gw = gateway("");
        String body = CHAT.replace("\"mock\"", "\"friendly\"");
        within(5_000, () -> status(gw, body) == 402, "the quota is reached");
        HttpResponse<String> r = gw.post("/v1/chat/completions", body, "authorization", "Bearer bud-user-key");
        JsonNode error = TestGateway.json(r.body()).path("error");
        assertEquals("insufficient_quota", error.path("type").asText(), r.body());
        assertEquals("Usage quota exceeded: token quota reached", error.path("message").asText());
        HttpResponse<String> anthropic = gw.post("/v1/messages", "{\"model\":\"friendly\",\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", "bud-user-key",
                "anthropic-version", "2023-06-01");
        assertEquals(402, anthropic.statusCode());
        assertEquals("billing_error", TestGateway.json(anthropic.body()).path("error")
                .path("type").asText(), anthropic.body());

        redis.set("usage_limit:user-1", spent.replace("\"tokens_used\":1000", "\"tokens_used\":0"));
        redis.set("usage_limit_clear:user-1", "1");
        within(2_000, () -> status(gw, body) == 200, "a pass again after the reset");
        within(2_000, () -> TestGateway.json(redis.commands().get("usage_limit:user-1")).path("tokens_used").asLong() > 0,
                "the usage written back where budapp reads it");
    }
}
