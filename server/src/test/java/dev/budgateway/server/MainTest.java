package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.budgateway.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private Result main(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, env::get, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void validateConfigListsEveryProblemWithItsKeyPathAndFails() throws Exception {
        Path file = dir.resolve("gateway.toml");
        Files.writeString(file, """
                [gateway]
                plugins_dir = "/nonexistent"

                [models.chat]
                routing = ["a", "b"]

                [models.chat.providers.a]
                type = "telepathy"

                [models.chat.providers.b]
                type = "openai"
                model_name = "gpt-4o-mini"
                api_key_location = "env::NOT_SET_KEY"

                [models.local]
                routing = ["v"]
                [models.local.providers.v]
                type = "vllm"
                model_name = "llama"

                [[filters]]
                type = "fallback"
                [[filters]]
                type = "routing"
                surprise = 1
                [[filters]]
                type = "no-such-filter"
                """);
        Result r = main(Map.of(), "--config", file.toString(), "--validate-config");
        assertEquals(1, r.code());
        String err = r.err();
        assertTrue(err.contains("models.chat.providers.a.type (line 8): unknown provider type 'telepathy'"), err);
        assertTrue(err.contains("models.chat.providers.b.api_key_location (line 13): environment variable NOT_SET_KEY is not set"),
                err);
        assertTrue(err.contains("models.local.providers.v.api_base (line 17): missing required key"), err);
        assertTrue(err.contains("filters[0] (line 21): filter 'fallback' needs 'route': put 'routing' before it"), err);
        assertTrue(err.contains("filters[1].surprise (line 25): unknown key"), err);
        assertTrue(err.contains("filters[2].type (line 27): unknown filter type 'no-such-filter'"), err);
        assertTrue(err.contains("(6 problems)"), err);
    }

    @Test
    void validateConfigOnAGoodFileSaysWhatItWillRun() throws Exception {
        Path file = dir.resolve("ok.toml");
        Files.writeString(file, "[gateway]\nplugins_dir = \"/nonexistent\"\n[models.m]\nrouting = [\"d\"]\n"
                + "[models.m.providers.d]\ntype = \"dummy\"\n");
        Result r = main(Map.of(), "--config", file.toString(), "--validate-config");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("chain: routing -> fallback (default)"), r.out());
    }

    @Test
    void configPathFallsBackToTensorZeroConfigPath() throws Exception {
        Path file = dir.resolve("env.toml");
        Files.writeString(file, "[gateway]\nbind_address = \"oops\"\n");
        Result r = main(Map.of("TENSORZERO_CONFIG_PATH", file.toString()), "--validate-config");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("gateway.bind_address"), r.err());
    }

    @Test
    void unreadableConfigAndBadArgumentsFailClearly() {
        Result missing = main(Map.of(), "--config", dir.resolve("none.toml").toString(), "--validate-config");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("cannot read config file"), missing.err());
        assertEquals(2, main(Map.of(), "--bogus").code());
    }

    static final String MODEL = "[models.m]\nrouting = [\"p\"]\n[models.m.providers.p]\ntype = \"openai\"\n"
            + "api_base = \"http://127.0.0.1:1/v1\"\nmodel_name = \"x\"\napi_key_location = \"none\"\n";

    /** Configs the probing run found to print stack traces, crash, or validate and then break at run time. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> brokenConfigs() {
        StringBuilder chain = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            chain.append("[models.m").append(i).append("]\nrouting = [\"p\"]\n")
                    .append(i < 2999 ? "fallback_models = [\"m" + (i + 1) + "\"]\n" : "")
                    .append("[models.m").append(i).append(".providers.p]\ntype = \"dummy\"\n");
        }
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("failure_threshold over 2^31",
                        "[circuit_breaker]\nfailure_threshold = 2147483648\n" + MODEL, "failure_threshold"),
                org.junit.jupiter.params.provider.Arguments.of("a breaker open for less than 1 ms",
                        "[circuit_breaker]\ntimeout_duration = 0.0001\n" + MODEL, "timeout_duration"),
                org.junit.jupiter.params.provider.Arguments.of("an api_base port of 99999",
                        MODEL.replace("127.0.0.1:1", "127.0.0.1:99999"), "port 99999"),
                org.junit.jupiter.params.provider.Arguments.of("a key file that never ends",
                        MODEL.replace("\"none\"", "\"path::/dev/zero\""), "not a regular file"),
                org.junit.jupiter.params.provider.Arguments.of("a NUL in a key path",
                        MODEL.replace("\"none\"", "\"path::/tmp/a\\u0000b\""), "\\u0000"),
                org.junit.jupiter.params.provider.Arguments.of("a 20,000-part dotted key",
                        "a" + ".a".repeat(20_000) + " = 1\n", "nested too deeply"),
                org.junit.jupiter.params.provider.Arguments.of("a 3,000-model fallback chain", chain.toString(),
                        "3000 models deep"),
                org.junit.jupiter.params.provider.Arguments.of("100 million retries",
                        MODEL.replace("routing = [\"p\"]", "routing = [\"p\"]\nretries = { num_retries = 100000000 }"),
                        "num_retries"),
                org.junit.jupiter.params.provider.Arguments.of("max_body_bytes beyond 2^64",
                        "[gateway]\nmax_body_bytes = 18446744073709551617\n" + MODEL, "max_body_bytes"),
                org.junit.jupiter.params.provider.Arguments.of("2^31 event loops",
                        "[gateway]\nevent_loops = 2147483648\n" + MODEL, "event_loops"),
                org.junit.jupiter.params.provider.Arguments.of("a bind port of 99999",
                        "[gateway]\nbind_address = \"0.0.0.0:99999\"\n" + MODEL, "0 to 65535"),
                org.junit.jupiter.params.provider.Arguments.of("a secret from the environment in a bad value",
                        "[gateway]\nbind_address = \"${KEY}\"\n" + MODEL, "\"***\""));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("brokenConfigs")
    void validateConfigNamesTheProblemWithoutAStackTrace(String what, String toml, String expected) throws Exception {
        Path file = dir.resolve("broken.toml");
        Files.writeString(file, toml);
        long start = System.nanoTime();
        Result r = main(Map.of("KEY", "sk-secret-from-env-123"), "--config", file.toString(), "--validate-config");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception") && !r.err().contains("Error:"),
                "no stack trace or class name: " + r.err());
        assertTrue(!r.err().contains("sk-secret-from-env-123"), r.err());
        assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(10), "validated quickly");
    }

    static final String RUST_GATEWAY_TOML = """
            [gateway]
            bind_address = "127.0.0.1:0"
            debug = true
            enable_template_filesystem_access = false
            observability = { enabled = true, async_writes = true }
            export = { otlp = { traces = { enabled = true } } }
            rate_limits = { enabled = true }
            analytics = { enabled = true }
            otlp_proxy = { enabled = false, collector_endpoint = "http://otel:4318" }
            authentication = { enabled = %s }
            blocking = { enabled = %s }

            [models."gpt-4o"]
            routing = ["openai"]
            endpoints = ["chat", "embedding", "moderation", "audio_transcription", "audio_translation",
                         "text_to_speech", "realtime_session", "realtime_transcription", "responses", "batch",
                         "image_generation", "image_edit", "image_variation", "document", "completions", "classify"]
            fallback_models = ["small"]
            retry_config = { num_retries = 2, max_delay_s = 5 }
            pricing = { input = 0.5, output = 1.5, currency = "USD" }
            guardrail_profile = "default"
            rate_limits = { requests_per_minute = 60 }
            inference_cost = 0.1
            [models."gpt-4o".providers.openai]
            type = "openai"
            model_name = "gpt-4o"
            api_key_location = "dynamic::openai_key"

            [models.small]
            routing = ["d"]
            [models.small.providers.d]
            type = "dummy"
            model_name = "echo"

            [embedding_models.embed]
            routing = ["openai"]
            [embedding_models.embed.providers.openai]
            type = "openai"
            model_name = "text-embedding-3-small"
            api_key_location = "env::OPENAI_API_KEY"

            [functions.basic]
            type = "chat"
            [functions.basic.variants.v]
            type = "chat_completion"
            model = "gpt-4o"

            [metrics.score]
            type = "float"
            optimize = "max"
            level = "inference"

            [tools.get_weather]
            description = "Weather"
            parameters = "tools/get_weather.json"
            """;

    @Test
    void aRustGatewayConfigValidatesAndNamesWhatIsNotSupportedYet() throws Exception {
        Path file = dir.resolve("tensorzero.toml");
        Files.writeString(file, RUST_GATEWAY_TOML.formatted(false, false));
        Result r = main(Map.of("OPENAI_API_KEY", "sk-x"), "--config", file.toString(), "--validate-config");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 model(s) [gpt-4o, small, embed]"), r.out());
        for (String named : java.util.List.of("gateway.otlp_proxy", "gateway.enable_template_filesystem_access",
                "models.gpt-4o.guardrail_profile", "models.gpt-4o.inference_cost",
                "'realtime_session' is not served yet", "'batch'", "'document'",
                "'classify'", "'realtime_transcription'", "api_key_location", "functions", "metrics", "tools")) {
            assertTrue(r.out().contains(named), named + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("not supported yet"), r.out());
        // Inference rows, trace export and prices are acted on: not named.
        for (String acted : java.util.List.of("gateway.observability", "gateway.export", "models.gpt-4o.pricing")) {
            assertTrue(!r.out().contains(acted), acted + " in:\n" + r.out());
        }
        // [gateway.rate_limits] on puts the rate-limits filter in the chain, with the models' rate_limits.
        assertTrue(r.out().contains("chain: rate-limits -> routing -> fallback"), r.out());
        assertTrue(!r.out().contains("gateway.rate_limits") && !r.out().contains("models.gpt-4o.rate_limits"), r.out());

        // Authentication on puts the auth filter first; without a place to find keys it cannot start.
        Files.writeString(file, RUST_GATEWAY_TOML.formatted(true, false));
        Result auth = main(Map.of("OPENAI_API_KEY", "sk-x"), "--config", file.toString(), "--validate-config");
        assertEquals(1, auth.code());
        assertTrue(auth.err().contains("no credential source") && auth.err().contains("TENSORZERO_REDIS_URL"),
                auth.err());
        Result withRedis = main(Map.of("OPENAI_API_KEY", "sk-x", "TENSORZERO_REDIS_URL", "redis://127.0.0.1:1/2"),
                "--config", file.toString(), "--validate-config");
        assertEquals(0, withRedis.code(), withRedis.err());
        // On the control plane's keys, the usage quotas are honoured as the Rust gateway does, before rate limits.
        assertTrue(withRedis.out().contains("chain: auth -> usage-limits -> rate-limits -> routing -> fallback"),
                withRedis.out());
        // Blocking on puts client-info and blocking at the front, before auth, as the Rust gateway orders them.
        Files.writeString(file, RUST_GATEWAY_TOML.formatted(false, true));
        Result blocking = main(Map.of("OPENAI_API_KEY", "sk-x"), "--config", file.toString(), "--validate-config");
        assertEquals(0, blocking.code(), blocking.err());
        assertTrue(blocking.out().contains("chain: client-info -> blocking -> rate-limits -> routing -> fallback"),
                blocking.out());
    }

    @Test
    void metricsPortServesOnlyMetricsOnASecondPort() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, String> env = Map.of("METRICS_PORT", String.valueOf(port));
        Gateway gateway = Gateway.start(ConfigLoader.parse("[gateway]\nbind_address = \"127.0.0.1:0\"\n"
                + "plugins_dir = \"/nonexistent\"\n" + MODEL, env::get), env::get);
        try (TestGateway api = new TestGateway(gateway)) {
            var http = java.net.http.HttpClient.newHttpClient();
            var metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_memory"), "Prometheus text");
            var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(404, health.statusCode(), "nothing else on the metrics port");
            assertEquals(200, api.get("/health").statusCode(), "the API port is not the metrics port");
            assertTrue(gateway.port() != port);
        }
    }

    @Test
    void aChainWithoutRoutingIsAConfigError() throws Exception {
        Path file = dir.resolve("no-routing.toml");
        Files.writeString(file, "[gateway]\nplugins_dir = \"/nonexistent\"\n[[filters]]\ntype = \"routing\"\n"
                + "enabled = false\n" + MODEL);
        Result r = main(Map.of(), "--config", file.toString(), "--validate-config");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("no filter in the chain provides 'route': put 'routing' in [[filters]]"), r.err());
    }

    @Test
    void aLegacyEmbeddingModelServesEmbeddings() throws Exception {
        Gateway gateway = Gateway.start(ConfigLoader.parse("[gateway]\nbind_address = \"127.0.0.1:0\"\n"
                + "plugins_dir = \"/nonexistent\"\n[embedding_models.embed]\nrouting = [\"d\"]\n"
                + "[embedding_models.embed.providers.d]\ntype = \"dummy\"\nmodel_name = \"echo\"\n", k -> null),
                k -> null);
        try (TestGateway client = new TestGateway(gateway)) {
            var embedded = client.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"hello\"}");
            assertEquals(200, embedded.statusCode(), embedded.body());
            assertTrue(embedded.body().contains("\"embedding\""), embedded.body());
            var chat = client.post("/v1/chat/completions", "{\"model\":\"embed\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hi\"}]}");
            assertEquals(400, chat.statusCode(), "an embedding model serves embeddings only");
        }
    }

    @Test
    void theEmbeddedDefaultConfigServesDummyModelsWithNoOtherService() throws Exception {
        Map<String, String> env = Map.of("BUDGATEWAY_BIND_ADDRESS", "127.0.0.1:0", "BUDGATEWAY_PLUGINS_DIR",
                dir.toString());
        Gateway gateway = Gateway.start(ConfigLoader.parse(Main.defaultConfig(), env::get), env::get);
        try (TestGateway client = new TestGateway(gateway)) {
            ChatCompletion c = client.sdk().chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("dummy::echo").addUserMessage("ping").build());
            assertEquals("ping", c.choices().get(0).message().content().orElseThrow());
            assertEquals(200, client.get("/health").statusCode());
        }
    }
}
