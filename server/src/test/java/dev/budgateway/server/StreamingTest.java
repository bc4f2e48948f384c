package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streams stay streams: unbuffered, byte-exact across odd splits, concurrent, and cancelled with the client. */
class StreamingTest {

    static MockOpenAi upstream;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        gw = TestGateway.start(TestGateway.mockModel(upstream));
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    private static final String STREAM_REQUEST =
            "{\"model\":\"mock\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";

    private HttpRequest streamRequest() {
        return HttpRequest.newBuilder(URI.create(gw.baseUrl + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(STREAM_REQUEST)).build();
    }

    /** The concatenated delta contents of an SSE body; asserts it ends with [DONE]. */
    static String contentOf(String sse) {
        StringBuilder text = new StringBuilder();
        List<String> data = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            }
        }
        assertEquals("[DONE]", data.get(data.size() - 1), "stream ends with [DONE]");
        for (String d : data.subList(0, data.size() - 1)) {
            try {
                JsonNode json = Json.parse(d.getBytes(StandardCharsets.UTF_8));
                JsonNode content = json.path("choices").path(0).path("delta").path("content");
                if (content.isTextual()) {
                    text.append(content.asText());
                }
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + d, e);
            }
        }
        return text.toString();
    }

    @Test
    void firstChunkReachesTheClientWhileTheUpstreamIsStillWaiting() throws Exception {
        upstream.handle((ctx, r) -> upstream.sse(ctx, MockOpenAi.chatEvents(List.of("first", " second"), false), 0, 800));
        HttpResponse<InputStream> res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofInputStream());
        long headersAt = System.nanoTime();
        assertEquals(200, res.statusCode());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            String line = in.readLine();
            long firstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - headersAt);
            assertTrue(line.startsWith("data: "), line);
            assertTrue(firstMs < 200, "first chunk took " + firstMs + " ms; the upstream paused 800 ms after it");
            StringBuilder rest = new StringBuilder(line).append('\n');
            for (String l; (l = in.readLine()) != null; ) {
                rest.append(l).append('\n');
            }
            assertEquals("first second", contentOf(rest.toString()));
        }
    }

    @Test
    void sseFramesSplitAtOddByteBoundariesAndNonAsciiSplitAcrossChunksArriveExact() throws Exception {
        // Every 3-byte piece cuts through multi-byte characters, line endings and "data:" prefixes.
        List<String> pieces = List.of("Grüße, ", "世界", "! ", "🚀🚀 ", "naïve café");
        upstream.handle((ctx, r) -> upstream.sse(ctx, MockOpenAi.chatEvents(pieces, false), 3, 1));
        HttpResponse<String> res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        assertEquals(String.join("", pieces), contentOf(res.body()));
        assertTrue(res.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    }

    @Test
    void crlfFramedUpstreamStreamsAreUnderstood() throws Exception {
        List<String> events = MockOpenAi.chatEvents(List.of("a", "b"), false);
        StringBuilder sb = new StringBuilder(": keep-alive comment\r\n\r\n");
        for (String e : events) {
            sb.append("data: ").append(e).append("\r\n\r\n");
        }
        upstream.handle((ctx, r) -> upstream.stream(ctx, List.of(sb.toString().getBytes(StandardCharsets.UTF_8)), 0));
        HttpResponse<String> res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        assertEquals("ab", contentOf(res.body()));
    }

    @Test
    void plainEventsReachTheClientAsTheUpstreamSentThemAndTheForcedUsageChunkDoesNot() throws Exception {
        // The first content opens the fallback gate (events before it are read one by one). Then, in one
        // write: spacing and order a re-serialised tree would not keep, a comment, a "usage" inside a string,
        // and the usage chunk the gateway asked for on its own.
        String first = MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}", null);
        String plain = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"},"
                + "\"finish_reason\":null}] , \"model\":\"mock-model\"}\r\n\r\n"
                + ": keep-alive\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" Grüße \\\"usage\\\":1\"}}],\"usage\":null}\n\n";
        String rest = "data: " + MockOpenAi.chunk("{}", "stop") + "\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3,\"total_tokens\":5}}\n\n"
                + "data: [DONE]\n\n";
        upstream.handle((ctx, r) -> upstream.stream(ctx, List.of(("data: " + first + "\n\n").getBytes(
                StandardCharsets.UTF_8), (plain + rest).getBytes(StandardCharsets.UTF_8)), 200));
        HttpResponse<String> res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        assertEquals("data: " + first + "\n\n" + plain + "data: " + MockOpenAi.chunk("{}", "stop") + "\n\ndata: [DONE]\n\n",
                res.body(), "the plain events as they came, the finish, no usage chunk (the client did not ask), one [DONE]");
        assertEquals("Hi there Grüße \"usage\":1", contentOf(res.body()));
    }

    @Test
    void anUntouchedRequestBodyGoesUpstreamAsTheClientsBytesWithTheModelSpliced() throws Exception {
        upstream.answerChat("ok");
        String request = "{ \"messages\" : [ {\"role\":\"user\",\"content\":\"héllo \\u00e9\"} ],\n"
                + "  \"model\":\"mock\", \"temperature\": 1.50, \"x_unknown\": {\"a\": [1, 2.0e3]} }";
        upstream.received.clear();
        HttpResponse<String> res = gw.http().send(HttpRequest.newBuilder(URI.create(gw.baseUrl
                + "/v1/chat/completions")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(request.replace("\"model\":\"mock\"", "\"model\":\"mock-model\""),
                new String(upstream.received.get(0).body(), StandardCharsets.UTF_8));

        upstream.received.clear();
        res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        assertEquals("ok", contentOf(res.body()));
        assertEquals("{\"stream_options\":{\"include_usage\":true}," + STREAM_REQUEST.substring(1)
                .replace("\"model\":\"mock\"", "\"model\":\"mock-model\""),
                new String(upstream.received.get(0).body(), StandardCharsets.UTF_8),
                "a stream asks for usage, first, and the rest is the client's");
    }

    @Test
    void hundredConcurrentStreamsEachGetTheirExactContent() throws Exception {
        upstream.handle((ctx, r) -> {
            String id = r.json().path("messages").path(0).path("content").asText();
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                pieces.add(id + "-" + i + " ");
            }
            return upstream.sse(ctx, MockOpenAi.chatEvents(pieces, true), 0, 2);
        });
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int n = 0; n < 100; n++) {
                String id = "client" + n;
                results.add(pool.submit(() -> {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl + "/v1/chat/completions"))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock\",\"stream\":true,"
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"" + id + "\"}]}")).build();
                    return contentOf(gw.http().send(req, HttpResponse.BodyHandlers.ofString()).body());
                }));
            }
            for (int n = 0; n < 100; n++) {
                StringBuilder expected = new StringBuilder();
                for (int i = 0; i < 20; i++) {
                    expected.append("client").append(n).append('-').append(i).append(' ');
                }
                assertEquals(expected.toString(), results.get(n).get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void clientAbortMidStreamCancelsTheUpstreamAndTheNextRequestWorks() throws Exception {
        CompletableFuture<Throwable> cancelled = new CompletableFuture<>();
        upstream.streamCancelled = cancelled;
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add("tok" + i + " ");
        }
        upstream.handle((ctx, r) -> upstream.sse(ctx, MockOpenAi.chatEvents(many, false), 0, 50));
        HttpResponse<InputStream> res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = res.body()) {
            byte[] first = new byte[64];
            assertTrue(body.read(first) > 0);
        }
        // Closing the body mid-stream closes the client connection: the gateway must hang up upstream.
        Throwable cause = cancelled.get(10, TimeUnit.SECONDS);
        assertTrue(cause != null);

        upstream.answerChat("still working");
        HttpResponse<String> next = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        assertEquals("still working", contentOf(next.body()));
    }

    @Test
    void clientGoingAwayBeforeAUnaryAnswerCancelsTheUpstreamCall() throws Exception {
        CompletableFuture<Throwable> upstreamCancelled = new CompletableFuture<>();
        upstream.handle((ctx, r) -> {
            ctx.whenRequestCancelling().thenAccept(upstreamCancelled::complete);
            return com.linecorp.armeria.common.HttpResponse.delayed(MockOpenAi.json(200,
                    MockOpenAi.chatCompletion("too late")), Duration.ofSeconds(5));
        });
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl + "/v1/chat/completions"))
                .timeout(Duration.ofMillis(300))
                .POST(HttpRequest.BodyPublishers.ofString(STREAM_REQUEST.replace("\"stream\":true,", ""))).build();
        try {
            gw.http().send(req, HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("expected the client to time out");
        } catch (java.net.http.HttpTimeoutException expected) {
            // The client gives up after 300 ms and closes its connection.
        }
        assertTrue(upstreamCancelled.get(3, TimeUnit.SECONDS) != null, "the upstream call was cancelled too");
    }

    @Test
    void upstreamStreamCutBeforeItFinishedEndsWithAnErrorEventNotASilentEnd() throws Exception {
        upstream.handle((ctx, r) -> upstream.stream(ctx, List.of(MockOpenAi.sseBytes(List.of(
                MockOpenAi.chunk("{\"content\":\"partial\"}", null)))), 0));
        HttpResponse<String> res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        assertTrue(res.body().contains("\"content\":\"partial\""));
        assertTrue(res.body().contains("\"code\":\"upstream_stream_truncated\""), res.body());
        assertTrue(res.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void upstreamErrorBeforeTheStreamStartsIsAProperHttpError() throws Exception {
        upstream.handle((ctx, r) -> MockOpenAi.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        HttpResponse<String> res = gw.http().send(streamRequest(), HttpResponse.BodyHandlers.ofString());
        assertEquals(502, res.statusCode());
        assertTrue(res.body().contains("overloaded"), res.body());
    }
}
