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
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
}
