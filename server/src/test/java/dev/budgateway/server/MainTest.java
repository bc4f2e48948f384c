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
