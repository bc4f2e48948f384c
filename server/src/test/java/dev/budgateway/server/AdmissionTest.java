package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code gateway.max_concurrent_requests}: past the limit a request is refused at once with a 503 in the
 * client's API, the gateway's own endpoints still answer, and a slot comes back however its request ended
 * (finished, or its client gone mid-stream).
 */
class AdmissionTest {

    static final String CHAT =
            "{\"model\":\"mock\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    MockOpenAi upstream;
    TestGateway gw;
    /** The upstream streams it holds open: each has sent its first event and waits to be ended. */
    final List<HttpResponseWriter> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        upstream = new MockOpenAi();
        upstream.handle((ctx, r) -> {
            HttpResponseWriter w = HttpResponse.streaming();
            w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "text/event-stream"));
            w.write(HttpData.ofUtf8("data: " + MockOpenAi.chunk("{\"content\":\"held \"}", null) + "\n\n"));
            held.add(w);
            return w;
        });
        gw = TestGateway.start("[gateway]\nbind_address = \"127.0.0.1:0\"\nplugins_dir = \"/nonexistent\"\n"
                + "shutdown_grace_period_ms = 0\nmax_concurrent_requests = 2\n" + TestGateway.mockModel(upstream));
    }

    @AfterEach
    void stop() {
        gw.close();
        upstream.close();
    }

    @Test
    void pastTheLimitARequestIsRefusedInTheClientsApiAndTheSlotsComeBack() throws Exception {
        Socket first = openStream();
        Socket second = openStream();
        waitFor(() -> held.size() == 2, "both streams reached the upstream");

        var refused = gw.post("/v1/chat/completions", CHAT);
        assertEquals(503, refused.statusCode());
        assertEquals("1", refused.headers().firstValue("retry-after").orElse(null));
        JsonNode error = TestGateway.json(refused.body()).path("error");
        assertEquals("overloaded", error.path("code").asText());
        assertEquals("server_error", error.path("type").asText());
        assertTrue(error.path("message").asText().contains("max_concurrent_requests"), refused.body());

        var anthropic = gw.post("/v1/messages", "{\"model\":\"mock\",\"max_tokens\":8,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}");
        assertEquals(503, anthropic.statusCode());
        assertEquals("overloaded_error", TestGateway.json(anthropic.body()).path("error").path("type").asText());
        assertEquals(2, upstream.received.size(), "refused requests never reach an upstream");

        // The gateway's own endpoints are not requests it can be too full for.
        assertEquals(200, gw.get("/health").statusCode());
        String metrics = gw.get("/metrics").body();
        assertTrue(metrics.contains("budgateway_requests_shed_total 2.0"), metrics);
        assertTrue(metrics.contains("budgateway_requests_in_flight 2.0"), metrics);
        assertTrue(metrics.contains("budgateway_requests_in_flight_limit 2.0"), metrics);
        // Counted as answered, with the model unknown: the body was never read.
        assertTrue(metrics.contains("budgateway_requests_total{endpoint=\"chat\",model=\"none\",provider=\"none\","
                + "status=\"503\"} 1.0"), metrics);
        assertTrue(metrics.contains("budgateway_requests_total{endpoint=\"messages\",model=\"none\","
                + "provider=\"none\",status=\"503\"} 1.0"), metrics);

        // A client that goes away mid-stream gives its slot back.
        first.close();
        waitFor(() -> inFlight() == 1, "the abandoned stream left");
        Socket third = openStream();
        waitFor(() -> held.size() == 3, "a new stream was admitted");

        // Streams that end give theirs back too.
        for (HttpResponseWriter w : held) {
            w.tryWrite(HttpData.ofUtf8("data: " + MockOpenAi.chunk("{}", "stop") + "\n\ndata: [DONE]\n\n"));
            w.close();
        }
        String answer = readAll(second);
        assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("data: [DONE]"), answer);
        third.close();
        waitFor(() -> inFlight() == 0, "every request left");
        upstream.answerChat("after the load");
        var after = gw.post("/v1/chat/completions", CHAT.replace("true", "false"));
        assertEquals(200, after.statusCode(), after.body());
    }

    @Test
    void theDefaultLimitComesFromTheHeapAndTheFileLimitWithAFloor() {
        assertEquals(5461, Admission.defaultLimit(512L << 20, 1 << 20));
        assertEquals(10922, Admission.defaultLimit(1L << 30, -1));
        // Two sockets a request: 20,000 files leave room for 9,872 beside the reserve.
        assertEquals(9872, Admission.defaultLimit(4L << 30, 20_000));
        assertEquals(Admission.MIN_DEFAULT_LIMIT, Admission.defaultLimit(8L << 20, 1 << 20));
        assertEquals(Admission.MIN_DEFAULT_LIMIT, Admission.defaultLimit(1L << 30, 300));
        assertEquals(Integer.MAX_VALUE, Admission.defaultLimit(Long.MAX_VALUE, -1));
        assertTrue(Admission.maxOpenFiles() > 0, "the JVM reports its file limit here");
    }

    @Test
    void aRefusalDoesNotTakeASlot() {
        Admission admission = new Admission(1, new SimpleMeterRegistry());
        assertTrue(admission.tryEnter());
        assertFalse(admission.tryEnter());
        assertFalse(admission.tryEnter());
        assertEquals(1, admission.inFlight());
        admission.leave();
        assertTrue(admission.tryEnter());
    }

    private Socket openStream() throws Exception {
        Socket s = gw.postSlowReader(CHAT);
        s.setSoTimeout(10_000);
        return s;
    }

    private double inFlight() {
        try {
            for (String line : gw.get("/metrics").body().split("\n")) {
                if (line.startsWith("budgateway_requests_in_flight ")) {
                    return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return -1;
    }

    private static String readAll(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
