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
