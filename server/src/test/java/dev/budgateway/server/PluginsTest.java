package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.plugins.spi.ConfigException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin jars dropped into the plugins dir run where [[filters]] puts them. */
class PluginsTest {

    static MockOpenAi upstream;
    static Path exampleJar;

    @TempDir
    Path pluginsDir;

    @BeforeAll
    static void start() throws IOException {
        upstream = new MockOpenAi();
        Path dir = Path.of(System.getProperty("budgateway.examplePluginDir", "../plugins/example/target"));
        try (Stream<Path> s = Files.list(dir)) {
            exampleJar = s.filter(p -> p.getFileName().toString().matches("budgateway-plugins-example-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("build plugins/example first (mvn verify)"));
        }
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.received.clear();
        upstream.answerChat("quiet words here");
    }

    private TestGateway start(String filters) throws Exception {
        Files.copy(exampleJar, pluginsDir.resolve("example.jar"));
        return TestGateway.start("[gateway]\nbind_address = \"127.0.0.1:0\"\nplugins_dir = \"" + pluginsDir + "\"\n"
                + filters + TestGateway.mockModel(upstream));
    }

    private static final String CHAT = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void pluginFiltersRunAtTheirPlaceAmongTheBuiltIns() throws Exception {
        try (TestGateway gw = start("""
                [[filters]]
                type = "example-trace"
                name = "before-routing"
                label = "a"
                [[filters]]
                type = "routing"
                [[filters]]
                type = "example-trace"
                name = "after-routing"
                label = "b"
                [[filters]]
                type = "fallback"
                [[filters]]
                type = "example-trace"
                name = "per-attempt"
                label = "c"
                """)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
            assertEquals(200, res.statusCode(), res.body());
            assertEquals("a:unrouted,b:routed,c:routed", res.headers().firstValue("x-example-trace").orElse(null));
            assertEquals(java.util.List.of("before-routing", "routing", "after-routing", "fallback", "per-attempt"),
                    gw.gateway.chain().entries().stream().map(e -> e.name()).toList());
        }
    }

    @Test
    void anAsyncFilterDecidesOnTheLoopTimesOutAndIsCancelledWithTheClient() throws Exception {
        String chain = """
                [[filters]]
                type = "example-tier-lookup"
                timeout_ms = %d
                delay_ms = %d
                tiers = { alice = "gold", mallory = "blocked" }
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                """;
        try (TestGateway gw = start(chain.formatted(2_000, 20))) {
            // The lookup answers on its own thread; the gateway's exchange checks (assertions are on in
            // tests) that the filter wrote to it only on the event loop.
            HttpResponse<String> gold = gw.post("/v1/chat/completions", CHAT, "x-example-user", "alice");
            assertEquals(200, gold.statusCode(), gold.body());
            assertEquals("gold", gold.headers().firstValue("x-example-tier").orElse(null));
            assertEquals(403, gw.post("/v1/chat/completions", CHAT, "x-example-user", "mallory").statusCode());
            assertFalse(gw.post("/v1/chat/completions", CHAT).headers().firstValue("x-example-tier").isPresent());
        }
        Files.deleteIfExists(pluginsDir.resolve("example.jar"));
        upstream.received.clear();
        try (TestGateway gw = start(chain.formatted(200, 5_000))) {
            long start = System.nanoTime();
            HttpResponse<String> late = gw.post("/v1/chat/completions", CHAT, "x-example-user", "alice");
            assertEquals(504, late.statusCode(), late.body());
            assertTrue(late.body().contains("did not decide within 200 ms"), late.body());
            assertTrue(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2_000);
            assertTrue(upstream.received.isEmpty());
        }
        Files.deleteIfExists(pluginsDir.resolve("example.jar"));
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        try (TestGateway gw = start(chain.formatted(10_000, 5_000))) {
            try (java.net.Socket s = gw.postSlowReader(CHAT, "x-example-user", "bob")) {
                assertTrue(s.isConnected());
                Thread.sleep(200); // the client leaves while the filter waits for its lookup
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
            while (log.list.stream().noneMatch(e -> e.getFormattedMessage().contains("cancelled"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            root.detachAppender(log);
        }
        assertTrue(log.list.stream().anyMatch(e -> e.getFormattedMessage().equals(
                "example-tier-lookup: lookup for bob cancelled")), "the lookup was cancelled with the client");
        assertTrue(upstream.received.isEmpty());
    }

    @Test
    void aFilterAnsweringLocallyStopsTheChain() throws Exception {
        try (TestGateway gw = start("""
                [[filters]]
                type = "example-deny"
                message = "no entry"
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                """)) {
            HttpResponse<String> denied = gw.post("/v1/chat/completions", CHAT, "x-example-deny", "1");
            assertEquals(403, denied.statusCode());
            assertTrue(denied.body().contains("\"message\":\"no entry\""), denied.body());
            assertTrue(upstream.received.isEmpty(), "the chain stopped: no upstream call");
            assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        }
    }

    @Test
    void theModelListAndTokenCountPassTheFiltersBeforeRoutingOnly() throws Exception {
        try (TestGateway gw = start("""
                [[filters]]
                type = "example-deny"
                message = "no entry"
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                [[filters]]
                type = "test-throw"
                """)) {
            HttpResponse<String> list = gw.get("/v1/models");
            assertEquals(200, list.statusCode(), list.body());
            assertTrue(list.body().contains("\"id\":\"mock\""), list.body());
            assertEquals(200, gw.get("/v1/models/mock").statusCode());
            ErrorsTest.error(gw.get("/v1/models/nope"), 404);
            String count = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
            HttpResponse<String> counted = gw.post("/v1/messages/count_tokens", count);
            assertEquals(200, counted.statusCode(), counted.body());
            assertTrue(counted.body().matches("\\{\"input_tokens\":\\d+}"), counted.body());
            assertEquals("estimate", counted.headers().firstValue("x-gateway-token-count").orElse(null));

            HttpRequest denied = HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl + "/v1/models"))
                    .header("x-example-deny", "1").build();
            HttpResponse<String> deniedList = gw.http().send(denied, HttpResponse.BodyHandlers.ofString());
            assertEquals(403, deniedList.statusCode());
            assertTrue(deniedList.body().contains("\"message\":\"no entry\""), deniedList.body());
            HttpResponse<String> deniedCount = gw.post("/v1/messages/count_tokens", count, "x-example-deny", "1");
            assertEquals(403, deniedCount.statusCode());
            assertTrue(deniedCount.body().startsWith("{\"type\":\"error\""), "Anthropic's error shape: "
                    + deniedCount.body());
            assertTrue(upstream.received.isEmpty());
        }
    }

    @Test
    void aFilterTransformsStreamChunksOnTheWayOut() throws Exception {
        try (TestGateway gw = start("""
                [[filters]]
                type = "example-uppercase"
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                """)) {
            HttpResponse<String> stream = gw.post("/v1/chat/completions",
                    CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""));
            assertEquals("QUIET WORDS HERE", StreamingTest.contentOf(stream.body()));
            HttpResponse<String> unary = gw.post("/v1/chat/completions", CHAT);
            assertTrue(unary.body().contains("\"content\":\"QUIET WORDS HERE\""), unary.body());
        }
    }

    @Test
    void aStreamingGuardrailHoldsTextPausesForItsCheckAndFlushesItsTail() throws Exception {
        try (TestGateway gw = start("""
                [[filters]]
                type = "example-redact"
                words = ["WORDS"]
                check_delay_ms = 2
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                """)) {
            HttpResponse<String> stream = gw.post("/v1/chat/completions",
                    CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""));
            assertEquals(200, stream.statusCode());
            assertEquals("quiet [redacted] here", StreamingTest.contentOf(stream.body()));
            assertTrue(stream.body().trim().endsWith("data: [DONE]"), stream.body());
            HttpResponse<String> unary = gw.post("/v1/chat/completions", CHAT);
            assertTrue(unary.body().contains("\"content\":\"quiet [redacted] here\""), unary.body());
        }
    }

    @Test
    void aFilterThatThrowsGivesA500AndTheServerKeepsServing() throws Exception {
        try (TestGateway gw = start("""
                [[filters]]
                type = "test-throw"
                name = "buggy"
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                """)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
            ErrorsTest.error(res, 500);
            assertTrue(res.body().contains("buggy"));
            assertFalse(res.body().contains("sk-should-not-leak"));
            ErrorsTest.error(gw.post("/v1/chat/completions", CHAT), 500);
        }
    }

    @Test
    void onErrorSkipFailsOpenAndPendingFiltersContinueAsynchronously() throws Exception {
        try (TestGateway gw = start("""
                [[filters]]
                type = "test-throw"
                on_error = "skip"
                [[filters]]
                type = "test-async"
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                """)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", CHAT);
            assertEquals(200, res.statusCode(), res.body());
            assertTrue(res.body().contains("quiet words here"));
        }
    }

    @Test
    void aJarThatIsNotAJarIsAStartUpErrorNamingIt() throws Exception {
        Files.writeString(pluginsDir.resolve("broken.jar"), "not a zip");
        ConfigException e = assertThrows(ConfigException.class, () -> start(""));
        assertTrue(e.getMessage().contains("broken.jar"), e.getMessage());
    }

    @Test
    void aJarBuiltForAnotherSpiVersionIsRefusedNamingBoth() throws Exception {
        Path other = pluginsDir.resolve("future.jar");
        try (var in = new java.util.jar.JarInputStream(Files.newInputStream(exampleJar))) {
            java.util.jar.Manifest manifest = in.getManifest() == null ? new java.util.jar.Manifest() : in.getManifest();
            manifest.getMainAttributes().putIfAbsent(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().putValue(dev.budgateway.plugins.runtime.FilterRegistry.SPI_VERSION_ATTRIBUTE,
                    "99");
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(other), manifest)) {
                for (var e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new java.util.jar.JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.start("[gateway]\nbind_address = "
                + "\"127.0.0.1:0\"\nplugins_dir = \"" + pluginsDir + "\"\n" + TestGateway.mockModel(upstream)));
        assertTrue(e.getMessage().contains("future.jar") && e.getMessage().contains("SPI version 99"), e.getMessage());
    }

    @Test
    void aPluginSeesTheSpiJacksonAndSlf4jOfTheHostAndNotArmeria() throws Exception {
        Files.copy(exampleJar, pluginsDir.resolve("example.jar"));
        var registry = dev.budgateway.plugins.runtime.FilterRegistry.discover(PluginsTest.class.getClassLoader(),
                pluginsDir);
        ClassLoader plugin = registry.find("example-deny").factory().getClass().getClassLoader();
        assertTrue(plugin != PluginsTest.class.getClassLoader(), "the plugin has a loader of its own");
        assertEquals(dev.budgateway.plugins.spi.Filter.class, plugin.loadClass("dev.budgateway.plugins.spi.Filter"),
                "one SPI type for host and plugin");
        assertEquals(com.fasterxml.jackson.databind.JsonNode.class,
                plugin.loadClass("com.fasterxml.jackson.databind.JsonNode"));
        for (String hidden : java.util.List.of("com.linecorp.armeria.server.Server", "io.netty.channel.EventLoop",
                "dev.budgateway.providers.ModelCatalog", "dev.budgateway.plugins.runtime.ChainRunner")) {
            assertThrows(ClassNotFoundException.class, () -> plugin.loadClass(hidden), hidden + " is the host's");
        }
    }

    @Test
    void aPluginThatNamesAFactoryOfTheHostsIsRefused() throws Exception {
        // Its services file lists the built-in routing factory: the plugin's loader cannot see it, and a jar
        // must not pass off the host's classes (or a second copy of them) as its own.
        Path jar = pluginsDir.resolve("borrowed.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("META-INF/services/"
                    + dev.budgateway.plugins.spi.FilterFactory.class.getName()));
            out.write("dev.budgateway.filters.routing.RoutingFilterFactory\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        ConfigException e = assertThrows(ConfigException.class, () -> start(""));
        assertTrue(e.getMessage().contains("borrowed.jar") && e.getMessage().contains("cannot load its filter factory"),
                e.getMessage());
    }

    @Test
    void aDuplicateFilterTypeNamesBothJars() throws Exception {
        Files.copy(exampleJar, pluginsDir.resolve("copy.jar"));
        ConfigException e = assertThrows(ConfigException.class, () -> start(""));
        assertTrue(e.getMessage().contains("copy.jar") && e.getMessage().contains("example.jar"), e.getMessage());
    }

    @Test
    void aPluginDirectoryWithItsJarsIsOnePlugin() throws Exception {
        Path plugin = Files.createDirectories(pluginsDir.resolve("my-plugin"));
        Files.copy(exampleJar, plugin.resolve("example.jar"));
        try (TestGateway gw = TestGateway.start("[gateway]\nbind_address = \"127.0.0.1:0\"\nplugins_dir = \""
                + pluginsDir + "\"\n[[filters]]\ntype = \"example-deny\"\n[[filters]]\ntype = \"routing\"\n"
                + "[[filters]]\ntype = \"fallback\"\n" + TestGateway.mockModel(upstream))) {
            assertEquals(403, gw.post("/v1/chat/completions", CHAT, "x-example-deny", "1").statusCode());
        }
    }
}
