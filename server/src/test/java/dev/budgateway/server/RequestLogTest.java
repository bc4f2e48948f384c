package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Json;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The one JSON line per request on {@code budgateway.requests}. */
class RequestLogTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();

    interface Requests {
        void send() throws Exception;
    }

    /** The request log's lines while {@code requests} run and until {@code expected} lines were written. */
    static List<ILoggingEvent> lines(int expected, Requests requests) throws Exception {
        Logger logger = (Logger) RequestLogSink.LOG;
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        try {
            requests.send();
            within(2_000, () -> lines.list.size() == expected, expected + " lines");
        } finally {
            logger.setLevel(level);
            logger.detachAppender(lines);
        }
        return lines.list;
    }

    @Test
    void durationsAreWrittenAsDoubleToStringWritesThemWithoutItsExponents() {
        for (long nanos : new long[] {0, 1, 50, 999, 1_000, 123_456, 1_000_000, 1_200_000, 1_261_097, 1_000_005,
                987_654_321, 9_999_999_999_999L, 12_345_678_901_234L}) {
            StringBuilder sb = new StringBuilder();
            RequestLogSink.appendMillis(sb, nanos);
            double exact = new java.math.BigDecimal(nanos).movePointLeft(6).doubleValue();
            assertEquals(exact, Double.parseDouble(sb.toString()), sb::toString);
            if (nanos / 1e6 >= 1e-3 && nanos / 1e6 < 1e7) {
                assertEquals(Double.toString(nanos / 1e6), sb.toString(), "as Double.toString, in its range");
            }
            assertFalse(sb.toString().contains("E"), sb::toString);
        }
    }

    @Test
    void everyRequestIsOneJsonLineWithoutSecrets() throws Exception {
        TestGateway gw = fx.start(TestGateway.mockModel(a));
        List<ILoggingEvent> lines = lines(2, () -> {
            HttpResponse<String> ok = gw.post("/v1/chat/completions",
                    "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"a secret prompt\"}]}",
                    "authorization", "Bearer sk-live-secret");
            assertEquals(200, ok.statusCode());
            assertEquals(404, gw.post("/v1/chat/completions",
                    "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").statusCode());
        });
        List<JsonNode> parsed = lines.stream().map(e -> TestGateway.json(e.getFormattedMessage())).toList();
        JsonNode first = parsed.get(0);
        assertEquals("chat", first.path("api").asText());
        assertEquals("mock", first.path("model").asText());
        assertEquals("up", first.path("provider").asText());
        assertEquals(200, first.path("status").asInt());
        assertEquals(1, first.path("attempts").asInt());
        assertEquals(7, first.path("input_tokens").asInt());
        assertTrue(first.path("duration_ms").asDouble() > 0);
        assertFalse(first.path("request_id").asText().isEmpty());
        assertEquals(404, parsed.get(1).path("status").asInt());
        assertFalse(parsed.get(1).path("error").asText().isEmpty());
        for (ILoggingEvent e : lines) {
            assertFalse(e.getFormattedMessage().contains("sk-live-secret"), "no key: " + e.getFormattedMessage());
            assertFalse(e.getFormattedMessage().contains("secret prompt"), "no body: " + e.getFormattedMessage());
        }
        assertFalse(first.has("trace_id"), "no trace id while traces are off");
    }

    @Test
    void whatTheClientSentIsEscapedIntoTheLine() throws Exception {
        TestGateway gw = fx.start(TestGateway.mockModel(a));
        String model = "we\"ird\n\u00e9\u0001model";
        List<ILoggingEvent> lines = lines(1, () -> assertEquals(404, gw.post("/v1/chat/completions",
                "{\"model\":" + Json.MAPPER.writeValueAsString(model) + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .statusCode()));
        String line = lines.get(0).getFormattedMessage();
        assertFalse(line.contains("\n"), "one line: " + line);
        assertEquals(model, TestGateway.json(line).path("model").asText());
    }

    @Test
    void withTracesOnALineCarriesItsTraceId() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            TestGateway gw = fx.start(TestGateway.mockModel(a), java.util.Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    receiver.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "50"));
            List<ILoggingEvent> lines = lines(1, () -> assertEquals(200, gw.post("/v1/chat/completions",
                    "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").statusCode()));
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                    TestGateway.json(lines.get(0).getFormattedMessage()).path("trace_id").asText());
        }
    }

    @Test
    void theJsonLayoutWritesOneObjectALineWithItsFailure() throws Exception {
        LogLayout layout = new LogLayout();
        layout.setContext((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory());
        layout.setFormat("json");
        layout.start();
        Logger logger = (Logger) org.slf4j.LoggerFactory.getLogger("budgateway.test");
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                Logger.class.getName(), logger, Level.WARN, "Closing {} failed", new IllegalStateException("gone \"x\""),
                new Object[] {"the spool"});
        String line = layout.doLayout(event);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
        JsonNode json = TestGateway.json(line);
        assertEquals("WARN", json.path("level").asText());
        assertEquals("budgateway.test", json.path("logger").asText());
        assertEquals("Closing the spool failed", json.path("message").asText());
        assertEquals("java.lang.IllegalStateException: gone \"x\"", json.path("error").asText());
        assertTrue(json.path("stack").asText().contains("RequestLogTest"), line);
        assertTrue(json.path("time").asText().endsWith("Z"), line);
        layout.setFormat("text");
        assertTrue(layout.doLayout(event).contains(" WARN  [" + Thread.currentThread().getName()
                + "] budgateway.test - Closing the spool failed"), layout.doLayout(event));
    }

    /**
     * The gateway as shipped (its own logback.xml, a process of its own): every request's line reaches standard
     * output, the last ones too when it is stopped with SIGTERM right after answering.
     */
    @Test
    void theShippedConfigWritesEveryLineAlsoTheLastOnesAtSigterm(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("gateway.toml");
        Files.writeString(config, "[gateway]\nbind_address = \"127.0.0.1:" + port + "\"\nplugins_dir = \"/nonexistent\"\n"
                + "[models.echo]\nrouting = [\"d\"]\n[models.echo.providers.d]\ntype = \"dummy\"\nmodel_name = \"echo\"\n");
        Path out = dir.resolve("stdout.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
                "dev.budgateway.server.Main", "--config", config.toString());
        pb.environment().put("BUDGATEWAY_LOG_FORMAT", "json");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process gateway = pb.start();
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            within(30_000, () -> {
                try {
                    return http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (java.io.IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }, "the gateway is up");
            int n = 200;
            HttpRequest chat = HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build();
            for (int i = 0; i < n; i++) {
                assertEquals(200, http.send(chat, HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            gateway.destroy(); // SIGTERM, at once: the last lines are still queued
            assertTrue(gateway.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the gateway stopped");
            List<JsonNode> requests = Files.readAllLines(out).stream().filter(l -> l.contains("\"request_id\""))
                    .map(TestGateway::json).toList();
            assertEquals(n, requests.size(), Files.readString(out));
            assertTrue(requests.stream().allMatch(r -> r.path("status").asInt() == 200 && "echo".equals(
                    r.path("model").asText())), requests.toString());
            assertTrue(Files.readString(out).contains("budgateway stopping"), "its own log still works");
        } finally {
            gateway.destroyForcibly();
        }
    }
}
