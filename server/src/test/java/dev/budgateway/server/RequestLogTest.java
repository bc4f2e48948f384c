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

    @Test
    void everyRequestIsOneJsonLineWithoutSecrets() throws Exception {
        TestGateway gw = fx.start(TestGateway.mockModel(a));
        Logger logger = (Logger) RequestLogSink.LOG;
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        try {
            HttpResponse<String> ok = gw.post("/v1/chat/completions",
                    "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"a secret prompt\"}]}",
                    "authorization", "Bearer sk-live-secret");
            assertEquals(200, ok.statusCode());
            assertEquals(404, gw.post("/v1/chat/completions",
                    "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").statusCode());
            within(2_000, () -> lines.list.size() == 2, "two lines");
        } finally {
            logger.setLevel(level);
            logger.detachAppender(lines);
        }
        List<JsonNode> parsed = lines.list.stream().map(e -> TestGateway.json(e.getFormattedMessage())).toList();
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
        for (ILoggingEvent e : lines.list) {
            assertFalse(e.getFormattedMessage().contains("sk-live-secret"), "no key: " + e.getFormattedMessage());
            assertFalse(e.getFormattedMessage().contains("secret prompt"), "no body: " + e.getFormattedMessage());
        }
    }
}
