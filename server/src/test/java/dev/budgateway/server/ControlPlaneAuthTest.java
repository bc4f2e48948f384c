package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.budgateway.filters.controlplane.BudappKeys;
import dev.budgateway.filters.controlplane.RedisServer;
import dev.budgateway.plugins.spi.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The auth filter and the control-plane mirror in a whole gateway, against a real redis-server filled as budapp
 * fills it, secrets encrypted by openssl with budapp's OAEP parameters, and the official SDKs as clients.
 */
class ControlPlaneAuthTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final MockOpenAi b = fx.b();
    static BudappKeys rsa;
    static final String STATIC_KEY = "static-key-for-tests";
    RedisServer redis;

    @BeforeAll
    static void keys() throws Exception {
        rsa = BudappKeys.generate();
    }

    @AfterEach
    void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    TestGateway gateway() throws Exception {
        return gateway("", Map.of());
    }

    TestGateway gateway(String extraToml, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("TENSORZERO_RSA_PRIVATE_KEY_PATH", rsa.privateKey.toString());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                STATIC_KEY.getBytes(StandardCharsets.UTF_8)));
        return fx.start("[redis]\nurl = \"" + redis.url() + "\"\n" + TestGateway.mockModel(a)
                + "[[filters]]\ntype = \"auth\"\nstatic_keys = [{ sha256 = \"" + sha + "\", models = [\"mock\"], "
                + "name = \"ops\" }]\n[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n" + extraToml,
                env);
    }

    void publish(String key, String name, String endpointId, MockOpenAi upstream, String secret) throws Exception {
        redis.set("model_table:" + endpointId, BudappKeys.modelTable(endpointId, upstream.apiBase(), "upstream-"
                + endpointId, rsa.encrypt(secret)));
        redis.set(BudappKeys.apiKeyRedisKey(key), BudappKeys.apiKeyRecord(name, endpointId,
                "key-id-" + Integer.toHexString(key.hashCode()))); // an id, as budapp's: never the key
    }

    static OpenAIClient openAi(TestGateway gw, String key) {
        return OpenAIOkHttpClient.builder().apiKey(key).baseUrl(gw.baseUrl + "/v1").maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    static String chat(OpenAIClient client, String model) {
        return client.chat().completions().create(ChatCompletionCreateParams.builder().model(model)
                .addUserMessage("hi").build()).choices().get(0).message().content().orElse("");
    }

    static boolean succeeds(Runnable call) {
        try {
            call.run();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void aPublishedKeyReachesItsEndpointWithTheDecryptedProviderKey() throws Exception {
        redis = RedisServer.start();
        publish("bud-user-key", "friendly-name", "ep-1", a, "sk-upstream-secret");
        TestGateway gw = gateway();
        within(5_000, () -> succeeds(() -> chat(openAi(gw, "bud-user-key"), "friendly-name")), "the first load");
        a.received.clear();

        HttpResponse<String> r = gw.post("/v1/chat/completions", "{\"model\":\"friendly-name\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}", "authorization", "Bearer bud-user-key",
                "x-tensorzero-api-key-id", "spoofed", "x-tensorzero-endpoint-id", "ep-evil");
        assertEquals(200, r.statusCode(), r.body());
        MockOpenAi.Received sent = a.received.get(0);
        assertEquals("Bearer sk-upstream-secret", sent.authorization(), "the model's decrypted secret, not the client's");
        assertEquals("upstream-ep-1", sent.json().path("model").asText(), "the endpoint's model, not the alias");
        sent.headers().forEach((name, value) -> {
            assertFalse(value.contains("bud-user-key"), "the client's key never goes upstream: " + name);
            assertFalse(name.toString().startsWith("x-tensorzero"), "client identity headers are not forwarded");
        });

        // The Anthropic SDK sends x-api-key; the same key and model work on /v1/messages.
        AnthropicClient claude = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl).apiKey("bud-user-key")
                .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
        assertNotNull(claude.messages().create(MessageCreateParams.builder().model("friendly-name").maxTokens(50)
                .addUserMessage("hi").build()).id());
        AnthropicClient stranger = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl).apiKey("unknown")
                .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
        assertThrows(com.anthropic.errors.UnauthorizedException.class, () -> stranger.messages().create(
                MessageCreateParams.builder().model("friendly-name").maxTokens(50).addUserMessage("hi").build()));

        JsonNode models = Json.MAPPER.readTree(gw.http().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gw.baseUrl + "/v1/models")).header("authorization", "Bearer bud-user-key").build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(1, models.path("data").size(), models.toString());
        assertEquals("friendly-name", models.path("data").path(0).path("id").asText());
    }

    @Test
    void missingUnknownAndUngrantedAreTheRustGatewaysAnswers() throws Exception {
        redis = RedisServer.start();
        publish("bud-user-key", "friendly-name", "ep-1", a, "sk-upstream-secret");
        TestGateway gw = gateway();
        within(5_000, () -> succeeds(() -> chat(openAi(gw, "bud-user-key"), "friendly-name")), "the first load");

        HttpResponse<String> missing = gw.post("/v1/chat/completions", "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(401, missing.statusCode());
        assertEquals("Missing authorization header", Json.MAPPER.readTree(missing.body()).path("error").path("message")
                .asText());
        com.openai.errors.UnauthorizedException unknown = assertThrows(com.openai.errors.UnauthorizedException.class,
                () -> chat(openAi(gw, "not-a-key"), "friendly-name"));
        assertTrue(unknown.getMessage().contains("Invalid API key"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains("not-a-key"), "the key is never echoed");
        com.openai.errors.NotFoundException ungranted = assertThrows(com.openai.errors.NotFoundException.class,
                () -> chat(openAi(gw, "bud-user-key"), "mock"));
        assertTrue(ungranted.getMessage().contains("Model not found: mock"), ungranted.getMessage());

        // A static key from the file works beside the control plane's, for its own models only.
        assertEquals("from a", chat(openAi(gw, STATIC_KEY), "mock"));
        assertThrows(com.openai.errors.NotFoundException.class, () -> chat(openAi(gw, STATIC_KEY), "friendly-name"));
    }

    @Test
    void keysAndModelTablesFollowRedisWithinASecond() throws Exception {
        redis = RedisServer.start();
        publish("bud-user-key", "friendly-name", "ep-1", a, "sk-a");
        TestGateway gw = gateway();
        OpenAIClient user = openAi(gw, "bud-user-key");
        within(5_000, () -> succeeds(() -> chat(user, "friendly-name")), "the first load");

        redis.set(BudappKeys.apiKeyRedisKey("bud-late-key"), BudappKeys.apiKeyRecord("friendly-name", "ep-1", "late"));
        within(1_000, () -> succeeds(() -> chat(openAi(gw, "bud-late-key"), "friendly-name")), "a key set after start");
        redis.delete(BudappKeys.apiKeyRedisKey("bud-late-key"));
        within(1_000, () -> !succeeds(() -> chat(openAi(gw, "bud-late-key"), "friendly-name")), "a deleted key");
        redis.setWithTtl(BudappKeys.apiKeyRedisKey("bud-short-key"), BudappKeys.apiKeyRecord("friendly-name", "ep-1",
                "short"), 1);
        within(1_000, () -> succeeds(() -> chat(openAi(gw, "bud-short-key"), "friendly-name")), "a key with a TTL");
        within(3_000, () -> !succeeds(() -> chat(openAi(gw, "bud-short-key"), "friendly-name")), "an expired key");

        // The endpoint moves from a to b while requests run: none of them fails.
        AtomicBoolean running = new AtomicBoolean(true);
        List<CompletableFuture<List<String>>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(CompletableFuture.supplyAsync(() -> {
                List<String> answers = new ArrayList<>();
                while (running.get()) {
                    answers.add(chat(user, "friendly-name"));
                }
                return answers;
            }));
        }
        Thread.sleep(200);
        redis.set("model_table:ep-1", BudappKeys.modelTable("ep-1", b.apiBase(), "upstream-ep-1", rsa.encrypt("sk-b")));
        within(1_000, () -> chat(user, "friendly-name").equals("from b"), "the new upstream");
        Thread.sleep(200);
        running.set(false);
        for (CompletableFuture<List<String>> f : clients) {
            List<String> answers = f.join(); // a failed request fails the join
            assertFalse(answers.isEmpty());
            answers.forEach(text -> assertTrue(text.equals("from a") || text.equals("from b"), text));
        }
        assertEquals("Bearer sk-b", b.received.get(b.received.size() - 1).authorization());
    }

    @Test
    void aRedisAwayAtStartAndAnOutageLaterLoseNothing() throws Exception {
        redis = RedisServer.notStarted();
        TestGateway gw = gateway();
        assertEquals("from a", chat(openAi(gw, STATIC_KEY), "mock"), "static keys work without Redis");
        JsonNode health = Json.MAPPER.readTree(gw.get("/health").body());
        assertEquals("degraded", health.path("status").asText(), health.toString());
        assertEquals("down", health.path("dependencies").path("redis").asText());
        assertThrows(com.openai.errors.UnauthorizedException.class, () -> chat(openAi(gw, "bud-user-key"),
                "friendly-name"));

        redis.up();
        publish("bud-user-key", "friendly-name", "ep-1", a, "sk-a");
        within(10_000, () -> succeeds(() -> chat(openAi(gw, "bud-user-key"), "friendly-name")), "Redis is up");
        within(2_000, () -> {
            try {
                return Json.MAPPER.readTree(gw.get("/health").body()).path("status").asText().equals("ok");
            } catch (Exception e) {
                return false;
            }
        }, "healthy");

        // An outage: the cached key keeps working; what changed meanwhile applies on reconnect.
        redis.down();
        assertEquals("from a", chat(openAi(gw, "bud-user-key"), "friendly-name"));
        redis.whileDown(c -> {
            try {
                c.del(BudappKeys.apiKeyRedisKey("bud-user-key"));
                c.set(BudappKeys.apiKeyRedisKey("bud-new-key"), BudappKeys.apiKeyRecord("other-name", "ep-2", "new"));
                c.set("model_table:ep-2", BudappKeys.modelTable("ep-2", b.apiBase(), "upstream-ep-2",
                        rsa.encrypt("sk-b")));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        redis.up();
        within(10_000, () -> succeeds(() -> chat(openAi(gw, "bud-new-key"), "other-name")), "a key added meanwhile");
        assertEquals("from b", chat(openAi(gw, "bud-new-key"), "other-name"));
        assertThrows(com.openai.errors.UnauthorizedException.class, () -> chat(openAi(gw, "bud-user-key"),
                "friendly-name"), "a key revoked meanwhile");
    }

    @Test
    void aSecretThatDoesNotDecryptDisablesItsModelWithAClearError() throws Exception {
        redis = RedisServer.start();
        String foreign = BudappKeys.generate().encrypt("sk-someone-elses");
        redis.set("model_table:ep-bad", BudappKeys.modelTable("ep-bad", a.apiBase(), "m", foreign));
        redis.set(BudappKeys.apiKeyRedisKey("bud-user-key"), BudappKeys.apiKeyRecord("bad-model", "ep-bad", "k"));
        publish("bud-good-key", "good-model", "ep-good", a, "sk-a");
        TestGateway gw = gateway();
        within(5_000, () -> succeeds(() -> chat(openAi(gw, "bud-good-key"), "good-model")), "the first load");
        HttpResponse<String> r = gw.post("/v1/chat/completions", "{\"model\":\"bad-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization", "Bearer bud-user-key");
        assertEquals(500, r.statusCode(), r.body());
        assertTrue(r.body().contains("misconfigured"), r.body());
        assertFalse(r.body().contains(foreign.substring(0, 20)), "no cipher text in the answer");
        assertEquals(0, a.received.stream().filter(x -> x.json().path("model").asText().equals("m")).count());
    }

    @Test
    void adminEndpointsNeedTheAdminKeyAndRedisShowsInHealthAndMetrics() throws Exception {
        redis = RedisServer.start();
        TestGateway open = gateway();
        assertEquals(403, open.get("/admin/upstreams").statusCode(), "auth on and no admin key: closed");
        open.close();
        TestGateway gw = gateway("[admin]\nkey = \"env::ADMIN_KEY\"\n", Map.of("ADMIN_KEY", "admin-secret"));
        assertEquals(401, gw.get("/admin/upstreams").statusCode());
        assertEquals(401, gw.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl
                + "/admin/upstreams")).header("authorization", "Bearer " + STATIC_KEY).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "an API key is not an admin key");
        assertEquals(200, gw.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl
                + "/admin/upstreams")).header("authorization", "Bearer admin-secret").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        within(5_000, () -> {
            try {
                return Json.MAPPER.readTree(gw.get("/health").body()).path("dependencies").path("redis").asText()
                        .equals("ok");
            } catch (Exception e) {
                return false;
            }
        }, "redis ok in /health");
        String metrics = gw.get("/metrics").body();
        assertTrue(metrics.contains("budgateway_control_plane_connected 1.0"), metrics);
        assertTrue(metrics.contains("budgateway_control_plane_loaded 1.0"));
    }

    @Test
    void noKeyHashSecretOrCipherTextReachesTheLog() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        try {
            redis = RedisServer.start();
            String badKey = BudappKeys.apiKeyRedisKey("bud-broken-key");
            redis.set(badKey, "{\"m\": \"not an object\"}");
            String foreign = BudappKeys.generate().encrypt("sk-never-logged");
            redis.set("model_table:ep-x", BudappKeys.modelTable("ep-x", a.apiBase(), "m", foreign));
            publish("bud-user-key", "friendly-name", "ep-1", a, "sk-upstream-secret");
            TestGateway gw = gateway();
            within(5_000, () -> succeeds(() -> chat(openAi(gw, "bud-user-key"), "friendly-name")), "the first load");
            assertThrows(RuntimeException.class, () -> chat(openAi(gw, "bud-broken-key"), "m"));
            String hash = badKey.substring("api_key:".length());
            boolean sawSkip = false;
            for (ch.qos.logback.classic.spi.ILoggingEvent e : log.list) {
                String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                        : e.getThrowableProxy().getMessage());
                for (String secret : List.of(hash, foreign.substring(0, 32), "sk-upstream-secret", "bud-user-key",
                        "bud-broken-key")) {
                    assertFalse(line.contains(secret), "logged: " + line);
                }
                sawSkip |= line.contains("Skipped control-plane record api_key:<hash not logged>");
            }
            assertTrue(sawSkip, "the malformed record is reported, by what it is");
        } finally {
            root.detachAppender(log);
        }
    }
}
