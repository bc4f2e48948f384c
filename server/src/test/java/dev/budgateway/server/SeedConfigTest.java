package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' example config (seed 000), in its provider-centric dialect: {@code [server]}, {@code [auth]},
 * {@code [routing]}, {@code [[providers]]} with {@code base_url}, {@code api_key_env} and {@code models},
 * and {@code [[fallback_chains]]} naming providers. Its {@code base_url}s point at local test servers.
 */
class SeedConfigTest {

    @TempDir
    Path dir;

    /** Seed 000's example, as written there, but for the servers' addresses and the port. */
    static String seedConfig(MockOpenAi vllm, MockOpenAi openai, boolean auth) {
        return """
                [server]
                host = "127.0.0.1"
                port = 0

                [auth]
                enabled = %s
                rsa_public_key_path = "/keys/rsa-public-key.pem"

                [routing]
                default_timeout_ms = 30000
                max_retries = 3

                [[providers]]
                name = "local-vllm"
                type = "openai"
                base_url = "%s"
                models = ["llama-3.1-8b", "llama-3.1-70b"]

                [[providers]]
                name = "openai"
                type = "openai"
                base_url = "%s"
                api_key_env = "OPENAI_API_KEY"
                models = ["gpt-4", "gpt-3.5-turbo"]

                [[fallback_chains]]
                primary = "local-vllm"
                fallbacks = ["openai"]
                """.formatted(auth, root(vllm), root(openai));
    }

    /** The server's root, as the seed writes it: without {@code /v1}. */
    static String root(MockOpenAi mock) {
        return mock.apiBase().replaceAll("/v1$", "");
    }

    @Test
    void asWrittenItsAuthenticationNeedsTheControlPlanesKeys() throws Exception {
        try (MockOpenAi vllm = new MockOpenAi(); MockOpenAi openai = new MockOpenAi()) {
            Path file = dir.resolve("gateway.toml");
            Files.writeString(file, seedConfig(vllm, openai, true));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"--config", file.toString(), "--validate-config"},
                    Map.of("OPENAI_API_KEY", "sk-test")::get, new PrintStream(out), new PrintStream(err), false);
            String report = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, report);
            assertTrue(report.contains("(default chain)") && report.contains("no credential source"), report);
            assertEquals(1, report.lines().filter(l -> l.trim().startsWith("-")).count(), "the one problem: " + report);
            int withRedis = Main.run(new String[] {"--config", file.toString(), "--validate-config"},
                    Map.of("OPENAI_API_KEY", "sk-test", "TENSORZERO_REDIS_URL", "redis://127.0.0.1:1")::get,
                    new PrintStream(out), new PrintStream(err), false);
            assertEquals(0, withRedis, err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void withAuthenticationOffItValidatesAndServesThroughItsFallbackChain() throws Exception {
        try (MockOpenAi vllm = new MockOpenAi(); MockOpenAi openai = new MockOpenAi()) {
            Path file = dir.resolve("gateway.toml");
            Files.writeString(file, "[gateway]\nplugins_dir = \"/nonexistent\"\nshutdown_grace_period_ms = 0\n"
                    + seedConfig(vllm, openai, false));
            Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-test");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"--config", file.toString(), "--validate-config"}, env::get,
                    new PrintStream(out), new PrintStream(err), false);
            String printed = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertTrue(printed.contains("4 model(s)") && printed.contains("llama-3.1-8b"), printed);

            vllm.handle((ctx, r) -> MockOpenAi.json(503, "{\"error\":{\"message\":\"runtime down\"}}"));
            openai.answerChat("served by the fallback");
            try (TestGateway gw = new TestGateway(Gateway.start(ConfigLoader.load(file, env::get), env::get))) {
                HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\":\"llama-3.1-8b\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                assertEquals(200, res.statusCode(), res.body());
                assertTrue(res.body().contains("served by the fallback"), res.body());
                assertEquals("openai", res.headers().firstValue("x-gateway-provider").orElse(null));
                assertEquals("/v1/chat/completions", vllm.received.get(0).path(), "/v1 added to the base_url");
                assertEquals("Bearer sk-test", openai.received.get(0).authorization(), "api_key_env");
                assertTrue(openai.received.get(0).json().path("model").asText().equals("llama-3.1-8b"),
                        "the fallback provider is asked for the same model");
                assertTrue(vllm.received.get(0).authorization() == null, "no key for a provider without api_key_env");

                HttpResponse<String> gpt = gw.post("/v1/chat/completions", "{\"model\":\"gpt-4\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                assertEquals(200, gpt.statusCode(), gpt.body());
            }
        }
    }
}
