package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.HttpStatus;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code onComplete} arrives exactly once, for the request and for every attempt, in every way a request
 * can end; and the host's own record of requests (the metrics, later analytics) counts each request once,
 * including those answered before the chain ran. A listener registered before {@code fallback} is the
 * request's; one after it belongs to an attempt.
 */
class CompletionTest {

    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final MockOpenAi b = fx.b();
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = TestGateway.start("""
                [[filters]]
                type = "test-completions"
                name = "request"
                [[filters]]
                type = "test-gate"
                timeout_ms = 200
                [[filters]]
                type = "routing"
                [[filters]]
                type = "fallback"
                [[filters]]
                type = "test-completions"
                name = "attempt"
                [models.m]
                routing = ["a", "b"]
                [models.m.providers.a]
                type = "openai"
                api_base = "%s"
                model_name = "x"
                api_key_location = "none"
                [models.m.providers.b]
                type = "openai"
                api_base = "%s"
                model_name = "y"
                api_key_location = "none"
                """.formatted(a.apiBase(), b.apiBase()));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void reset() {
        TestFilters.COMPLETIONS.clear();
    }

    /** The listeners' record of the one request made since the reset, once it has settled. */
    private static List<String> completions() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (TestFilters.COMPLETIONS.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // a second onComplete would arrive by now
        assertTrue(TestFilters.COMPLETIONS.size() <= 1, TestFilters.COMPLETIONS.toString());
        return TestFilters.COMPLETIONS.isEmpty() ? List.of()
                : List.copyOf(TestFilters.COMPLETIONS.values().iterator().next()).stream().sorted().toList();
    }

    /** The sum of budgateway_requests_total over all its series. */
    private static double requestsRecorded() throws Exception {
        double sum = 0;
        for (String line : gw.get("/metrics").body().split("\n")) {
            if (line.startsWith("budgateway_requests_total{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static void recordedOnce(double before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (requestsRecorded() < before + 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        assertEquals(before + 1, requestsRecorded(), "the host records the request exactly once");
    }

    @Test
    void served() throws Exception {
        double before = requestsRecorded();
        assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(List.of("attempt 200", "request 200"), completions());
        recordedOnce(before);
    }

    @Test
    void answeredByAFilter() throws Exception {
        double before = requestsRecorded();
        assertEquals(403, gw.post("/v1/chat/completions", CHAT, "x-test-gate", "reject").statusCode());
        assertEquals(List.of("request 403"), completions());
        recordedOnce(before);
    }

    @Test
    void refusedBeforeTheChain() throws Exception {
        double before = requestsRecorded();
        assertEquals(400, gw.post("/v1/chat/completions", "{not json").statusCode());
        assertEquals(List.of(), completions(), "no filter ran, so no listener was registered");
        recordedOnce(before);
        double before413 = requestsRecorded();
        assertEquals(413, gw.post("/v1/chat/completions", "{\"model\":\"m\",\"pad\":\"" + "x".repeat(11 << 20)
                + "\"}").statusCode());
        recordedOnce(before413);
    }

    @Test
    void anUpstreamError() throws Exception {
        a.handle((ctx, r) -> MockOpenAi.json(400, "{\"error\":{\"message\":\"bad\"}}"));
        double before = requestsRecorded();
        assertEquals(400, gw.post("/v1/chat/completions", CHAT).statusCode());
        assertEquals(List.of("attempt 400", "request 400"), completions());
        recordedOnce(before);
    }

    @Test
    void aStreamThatFailsBeforeContentFallsBack() throws Exception {
        a.handle((ctx, r) -> a.sse(ctx, List.of(MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}",
                null)), 0, 0)); // cut before any content
        double before = requestsRecorded();
        var res = gw.post("/v1/chat/completions", STREAM);
        assertTrue(res.body().contains("from") && res.body().contains("[DONE]"), res.body());
        assertEquals(List.of("attempt 200", "attempt 502", "request 200"), completions(),
                "each attempt once: the abandoned one and the one that served");
        recordedOnce(before);
    }

    @Test
    void aStreamCutAfterContent() throws Exception {
        a.handle((ctx, r) -> a.sse(ctx, List.of(MockOpenAi.chunk("{\"content\":\"half\"}", null)), 0, 0));
        double before = requestsRecorded();
        var res = gw.post("/v1/chat/completions", STREAM);
        assertTrue(res.body().contains("half") && res.body().contains("\"error\""), res.body());
        assertEquals(List.of("attempt 502", "request 502"), completions());
        recordedOnce(before);
    }

    @Test
    void theClientLeavesMidStream() throws Exception {
        a.handle((ctx, r) -> a.sse(ctx, MockOpenAi.chatEvents(List.of("slow ", "words ", "here"), false), 0, 400));
        double before = requestsRecorded();
        try (Socket s = gw.postSlowReader(STREAM)) {
            s.getInputStream().read(new byte[256]); // the head and the first event
        }
        assertEquals(List.of("attempt 499 cancelled", "request 499 cancelled"), completions());
        recordedOnce(before);
    }

    @Test
    void aFilterThatDoesNotDecideInTime() throws Exception {
        double before = requestsRecorded();
        var res = gw.post("/v1/chat/completions", CHAT, "x-test-gate", "hang");
        assertEquals(HttpStatus.GATEWAY_TIMEOUT.code(), res.statusCode(), res.body());
        assertEquals(List.of("request 504"), completions());
        recordedOnce(before);
        assertTrue(new String(res.body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .contains("did not decide within 200 ms"));
        String timeouts = gw.get("/metrics").body().lines()
                .filter(l -> l.startsWith("budgateway_filter_duration_seconds_count{")
                        && l.contains("filter=\"test-gate\"") && l.contains("outcome=\"timeout\""))
                .findFirst().orElse("");
        assertTrue(!timeouts.isEmpty() && !timeouts.endsWith(" 0.0"),
                "counted as a timeout, not an error: " + timeouts);
    }
}
