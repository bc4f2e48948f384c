package dev.budgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.ConfigProblem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static GatewayConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, Map.of("KEY_VAR", "from-env", "HOST", "10.0.0.1")::get);
    }

    private static List<String> problems(String toml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(toml));
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void readsTensorZeroStyleModels() throws Exception {
        GatewayConfig c = parse("""
                [gateway]
                bind_address = "127.0.0.1:8080"
                max_body_bytes = 1024

                [models."llama-3.1-8b"]
                routing = ["local", "openai"]
                endpoints = ["chat", "embedding"]
                timeouts = { non_streaming = { total_ms = 1000 }, streaming = { ttft_ms = 200 } }

                [models."llama-3.1-8b".providers.local]
                type = "vllm"
                api_base = "http://${HOST}:8000/v1"
                model_name = "meta-llama/Llama-3.1-8B-Instruct"
                extra_headers = { "x-tenant" = "a" }
                extra_body = [{ pointer = "/top_k", value = 5 }]

                [models."llama-3.1-8b".providers.openai]
                type = "openai"
                model_name = "gpt-4o-mini"
                api_key_location = "env::OPENAI_API_KEY"
                timeouts = { streaming = { ttft_ms = 200, total_ms = 5000 } }
                """);
        assertEquals(8080, c.gateway().port());
        assertEquals("127.0.0.1", c.gateway().host());
        assertEquals(1024, c.gateway().maxBodyBytes());
        ModelConfig m = c.models().get("llama-3.1-8b");
        assertEquals(List.of("local", "openai"), m.routing());
        assertEquals(java.util.Set.of(ApiEndpoint.CHAT, ApiEndpoint.EMBEDDING), m.endpoints());
        assertEquals(new Timeouts(1000L, 200L, null), m.timeouts());
        ProviderConfig local = m.providers().get("local");
        assertEquals("http://10.0.0.1:8000/v1", local.apiBase());
        assertEquals(Map.of("x-tenant", "a"), local.extraHeaders());
        assertTrue(local.extraBody().isArray());
        assertEquals(new ApiKeyLocation.Env("OPENAI_API_KEY"), m.providers().get("openai").apiKeyLocation());
        assertEquals(new Timeouts(null, 200L, 5000L), m.providers().get("openai").timeouts());
        assertNull(local.apiKeyLocation());
        assertFalse(c.filtersDeclared());
        assertEquals(ConfigLoader.DEFAULT_CHAIN, c.filters().stream().map(FilterSpec::type).toList());
    }

    @Test
    void everyProblemIsListedWithItsKeyPath() {
        List<String> p = problems("""
                [gateway]
                bind_address = "nonsense"
                colour = "blue"

                [models.m]
                routing = ["a", "missing"]
                endpoints = ["chat", "telepathy"]

                [models.m.providers.a]
                model_name = 5
                api_key_location = "vault::x"
                timeouts = { streaming = { ttft_ms = -1 } }

                [[filters]]
                name = "no-type"
                [[filters]]
                type = "routing"
                on_error = "explode"
                """);
        assertTrue(p.contains("gateway.bind_address (line 2): expected host:port with a port from 0 to 65535, found "
                + "string \"nonsense\""), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("gateway.colour (line 3): unknown key")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("models.m.routing[1] (line 6): no provider named 'missing'")),
                p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("models.m.endpoints[1] (line 7): unknown endpoint 'telepathy'")),
                p.toString());
        assertTrue(p.contains("models.m.providers.a.type (line 9): missing required key"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("models.m.providers.a.model_name (line 10): expected a string")),
                p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("models.m.providers.a.api_key_location (line 11): expected env::VAR")),
                p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("models.m.providers.a.timeouts.streaming.ttft_ms (line 12): expected a "
                + "positive integer")), p.toString());
        assertTrue(p.contains("filters[0].type (line 14): missing required key"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("filters[1].on_error (line 18):")), p.toString());
        assertEquals(10, p.size(), p.toString());
    }

    @Test
    void problemsFoundAfterLoadingAreLocatedToo() throws Exception {
        GatewayConfig c = parse("""
                # comment
                [models."llama-3.1-8b"]
                routing = ["a"]
                [models."llama-3.1-8b".providers.a]
                type = "vllm"
                extra_headers = { x = "y" }

                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                max_attempts = 0
                """);
        assertEquals(5, c.lines().lineOf("models.\"llama-3.1-8b\".providers.a.type"));
        assertEquals(6, c.lines().lineOf("models.\"llama-3.1-8b\".providers.a.extra_headers.x"));
        assertEquals(4, c.lines().lineOf("models.\"llama-3.1-8b\".providers.a.api_base"));
        assertEquals(12, c.lines().lineOf("filters[1].max_attempts"));
        assertEquals(10, c.lines().lineOf("filters[1]"));
        assertEquals(0, c.lines().lineOf("filters[0] (default chain)"));
    }

    @Test
    void syntaxErrorsGiveTheLine() {
        List<String> p = problems("[gateway]\nbind_address = \"x:1\"\n\n[models.m\nrouting = []\n");
        assertEquals(1, p.size());
        assertTrue(p.get(0).contains("line 4"), p.get(0));
    }

    @Test
    void environmentInterpolationWithDefaultsAndMissingVariables() throws Exception {
        assertEquals("0.0.0.0:9", parse("[gateway]\nbind_address = \"${NOPE:-0.0.0.0:9}\"\n").gateway().bindAddress());
        List<String> p = problems("[gateway]\nbind_address = \"${NOT_SET_ANYWHERE}:1\"\n");
        assertTrue(p.get(0).startsWith("gateway.bind_address (line 2): environment variable NOT_SET_ANYWHERE is not set"),
                p.toString());
        assertEquals("${literal}", EnvInterpolation.expand("$${literal}", "", k -> null, new ConfigReader()));
    }

    @Test
    void modelNamesMayNotUseTheShorthandSeparator() {
        List<String> p = problems("[models.\"openai::x\"]\nrouting = [\"a\"]\n[models.\"openai::x\".providers.a]\n"
                + "type = \"dummy\"\n");
        assertTrue(p.get(0).contains("'::'"), p.toString());
    }

    record ExampleSettings(@JsonProperty(required = true) String label, int windowSize) {}

    @Test
    void filterSettingsBindStrictlyWithKeyPaths() throws Exception {
        GatewayConfig c = parse("""
                [[filters]]
                type = "x"
                name = "first"
                label = "hello"
                window_size = 3
                [[filters]]
                type = "x"
                enabled = false
                on_error = "skip"
                label = "y"
                labl = "typo"
                [[filters]]
                type = "x"
                label = "z"
                window_size = "three"
                [[filters]]
                type = "x"
                """);
        assertTrue(c.filtersDeclared());
        FilterSpec first = c.filters().get(0);
        assertEquals("first", first.name());
        assertEquals(new ExampleSettings("hello", 3), first.bind(ExampleSettings.class));
        FilterSpec second = c.filters().get(1);
        assertEquals("x", second.name());
        assertFalse(second.enabled());
        assertEquals("skip", second.onError());
        ConfigException typo = assertThrows(ConfigException.class, () -> second.bind(ExampleSettings.class));
        assertTrue(typo.getMessage().startsWith("filters[1].labl: unknown key (known: "), typo.getMessage());
        ConfigException type = assertThrows(ConfigException.class, () -> c.filters().get(2).bind(ExampleSettings.class));
        assertTrue(type.getMessage().startsWith("filters[2].window_size:"), type.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> c.filters().get(3).bind(ExampleSettings.class));
        assertEquals("filters[3].label: missing required key", missing.getMessage());
    }

    @Test
    void anEmptyFileIsTheDefaults() throws Exception {
        GatewayConfig c = parse("");
        assertEquals(GatewaySettings.DEFAULT_BIND_ADDRESS, c.gateway().bindAddress());
        assertEquals(0, c.gateway().maxConcurrentRequests(), "0: the default from the heap");
        assertTrue(c.models().isEmpty());
    }

    @Test
    void theConcurrencyLimitIsAPositiveCount() throws Exception {
        assertEquals(5000, parse("[gateway]\nmax_concurrent_requests = 5000\n").gateway().maxConcurrentRequests());
        assertTrue(problems("[gateway]\nmax_concurrent_requests = 0\n").stream()
                .anyMatch(p -> p.contains("gateway.max_concurrent_requests")), "0 is not a limit");
        assertTrue(problems("[gateway]\nmax_concurrent_requests = 3000000000\n").stream()
                .anyMatch(p -> p.contains("gateway.max_concurrent_requests")), "past an int");
    }
}
