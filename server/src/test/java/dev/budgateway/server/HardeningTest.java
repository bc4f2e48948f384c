package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The defects a probing run found (bad input, bad upstreams, slow clients, shutdown), one regression
 * test each, against real servers. The config ones are in {@code MainTest}, SIGTERM on a real process in
 * {@code bin/smoke-test}.
 */
class HardeningTest {

    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final MockOpenAi b = fx.b();
    TestGateway gw;

    /** Model {@code m}: provider a, then b; {@code gateway} and {@code extra} go into their tables. */
    private static String config(String gateway, String extraA) {
        return "[gateway]\nbind_address = \"127.0.0.1:0\"\nplugins_dir = \"/nonexistent\"\n"
                + "shutdown_grace_period_ms = 0\n" + gateway
                + "[models.m]\nrouting = [\"a\", \"b\"]\n"
                + "[models.m.providers.a]\ntype = \"openai\"\napi_base = \"" + a.apiBase() + "\"\nmodel_name = \"x\"\n"
                + "api_key_location = \"none\"\n" + extraA
                + "[models.m.providers.b]\ntype = \"openai\"\napi_base = \"" + b.apiBase() + "\"\nmodel_name = \"y\"\n"
                + "api_key_location = \"none\"\n";
    }

    private static JsonNode json(String s) throws IOException {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The in-flight count of every replica, from {@code /admin/upstreams}. */
    private long inFlight() throws Exception {
        long n = 0;
        for (JsonNode u : json(gw.get("/admin/upstreams").body()).path("upstreams")) {
            n += u.path("in_flight").asLong();
        }
        return n;
    }

    // ---- 1: client input in a response header

    @Test
    void controlCharactersInAModelNameNeverLeaveARequestUnanswered() throws Exception {
        gw = fx.start("[models.m]\nrouting = [\"d\"]\n[models.m.providers.d]\ntype = \"dummy\"\n");
        for (String model : List.of("dummy::a\\r\\nb", "dummy::a\\u0000b", "dummy::ünï")) {
            for (boolean stream : new boolean[] {false, true}) {
                var res = gw.post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                assertEquals(200, res.statusCode(), model + ": " + res.body());
                String header = res.headers().firstValue("x-gateway-model").orElseThrow();
                assertTrue(header.chars().allMatch(c -> c >= 0x20 && c < 0x7f), header);
                assertTrue(header.startsWith("dummy::") && header.contains("?"), header);
            }
        }
    }

    // ---- 2: every failure path gives back what it acquired

    @Test
    void anExtraBodyEditThroughANonObjectIsA400AndLeaksNoInFlightSlot() throws Exception {
        gw = fx.start(config("", "extra_body = [{ pointer = \"/stream_options/x\", value = 1 }]\n"));
        for (int i = 0; i < 5; i++) {
            var res = gw.post("/v1/chat/completions", "{\"model\":\"m\",\"stream_options\":[1],\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(400, res.statusCode(), res.body());
            assertEquals("invalid_request_body", json(res.body()).path("error").path("code").asText());
        }
        assertEquals(0, inFlight());
        assertTrue(a.received.isEmpty() && b.received.isEmpty(), "a bad request goes nowhere");
    }

    @Test
    void anApiKeyWithALineBreakIsAConfigErrorNotAFailureOnEveryRequest() {
        ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.start(
                config("", "").replaceFirst("api_key_location = \"none\"", "api_key_location = \"env::K\""),
                Map.of("K", "sk-abc\r\nx-injected: 1")));
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-abc"), e.getMessage());
    }

    // ---- 3 and 8: what an upstream sends is bounded, and a stream is not bounded by the unary limit

    @Test
    void aFloodOfEmptyDeltasBeforeAnyContentFailsTheAttemptAndFallsBack() throws Exception {
        gw = fx.start(config("", ""));
        a.handle((ctx, r) -> {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) { // ~2.5 MB of nothing: over the 1 MiB default
                events.add(MockOpenAi.chunk("{\"content\":\"\"}", null));
            }
            events.addAll(MockOpenAi.chatEvents(List.of("late ", "a"), false)); // what the gateway held it all for
            return a.sse(ctx, events, 64 * 1024, 0);
        });
        var res = gw.post("/v1/chat/completions", STREAM);
        assertEquals(200, res.statusCode());
        assertFalse(res.body().contains("late"), "a's answer was given up on");
        assertEquals("b", res.headers().firstValue("x-gateway-provider").orElseThrow());
        assertEquals(0, inFlight());
    }

    @Test
    void anEventLargerThanTheLimitIsA502NotAnOutOfMemoryError() throws Exception {
        gw = fx.start(config("max_upstream_event_bytes = 1048576\n", "").replace(
                "routing = [\"a\", \"b\"]", "routing = [\"a\"]"));
        a.handle((ctx, r) -> {
            List<byte[]> writes = new ArrayList<>();
            writes.add(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 40; i++) {
                writes.add("y".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8)); // 2.5 MB, no line end
            }
            return a.stream(ctx, writes, 0);
        });
        long start = System.nanoTime();
        var res = gw.post("/v1/chat/completions", STREAM);
        assertEquals(502, res.statusCode(), res.body());
        assertTrue(res.body().contains("max_upstream_event_bytes"), res.body());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 5);
    }

    @Test
    void aUnaryAnswerOverTheLimitIsA502AndAStreamIsNotHeldToIt() throws Exception {
        gw = fx.start(config("max_upstream_body_bytes = 1048576\n", "").replace(
                "routing = [\"a\", \"b\"]", "routing = [\"a\"]"));
        String big = "z".repeat(2 * 1024 * 1024);
        a.handle((ctx, r) -> r.json().path("stream").asBoolean()
                ? a.sse(ctx, MockOpenAi.chatEvents(List.of(big, big), false), 0, 0)
                : MockOpenAi.json(200, MockOpenAi.chatCompletion(big)));
        var unary = gw.post("/v1/chat/completions", CHAT);
        assertEquals(502, unary.statusCode(), unary.body().substring(0, Math.min(300, unary.body().length())));
        assertEquals("upstream_too_large", json(unary.body()).path("error").path("code").asText());
        assertFalse(unary.body().contains("Exception"), unary.body());
        var stream = gw.post("/v1/chat/completions", STREAM);
        assertEquals(200, stream.statusCode());
        assertTrue(stream.body().length() > 4 * 1024 * 1024 && stream.body().contains("[DONE]"),
                "4 MB streamed through a 1 MB unary limit");
        assertFalse(stream.body().contains("\"error\""));
    }

    // ---- 4: our own backpressure is not the upstream's silence

    @Test
    void aClientThatPausesLongerThanTheStallTimeoutDoesNotKillAHealthyStream() throws Exception {
        gw = fx.start(config("", "timeouts = { streaming = { stall_ms = 500 } }\n").replace(
                "routing = [\"a\", \"b\"]", "routing = [\"a\"]"));
        String filler = "x".repeat(2_000);
        a.handle((ctx, r) -> {
            HttpResponseWriter w = HttpResponse.streaming();
            w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "text/event-stream"));
            writePaced(w, 0, 5_000, filler);
            return w;
        });
        try (Socket socket = gw.postSlowReader(STREAM)) {
            Thread.sleep(2_000); // four stall timeouts without reading a byte
            String all = readAll(socket.getInputStream());
            assertTrue(all.contains("data: [DONE]"), all.substring(Math.max(0, all.length() - 300)));
            assertFalse(all.contains("sent nothing for"), "no stall error");
        }
    }

    /** Writes each event once the one before it was taken: the upstream goes at the reader's pace. */
    private static void writePaced(HttpResponseWriter w, int i, int events, String filler) {
        if (i == events) {
            w.write(HttpData.wrap(MockOpenAi.sseBytes(List.of(MockOpenAi.chunk("{}", "stop"), "[DONE]"))));
            w.close();
            return;
        }
        w.write(HttpData.ofUtf8("data: " + MockOpenAi.chunk("{\"content\":\"" + filler + "\"}", null) + "\n\n"));
        w.whenConsumed().thenRun(() -> writePaced(w, i + 1, events, filler));
    }

    // ---- 5: malformed uploads

    @Test
    void malformedMultipartIsA400WithoutAStackTraceAndLeavesNoTempFiles() throws Exception {
        gw = fx.start(config("", ""));
        ListAppender<ILoggingEvent> log = capture();
        long before = tempFiles();
        try {
            String[] forms = {
                "multipart/form-data|--x\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm\r\n--x--\r\n",
                "multipart/form-data; boundary=wrong|--x\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n"
                        + "m\r\n",
                "multipart/form-data; boundary=x|garbage garbage garbage",
            };
            for (String f : forms) {
                String[] parts = f.split("\\|", 2);
                var res = gw.post("/v1/audio/transcriptions", parts[1], "content-type", parts[0]);
                assertEquals(400, res.statusCode(), f + " -> " + res.body());
            }
            // A form cut short after a small file part, 50 times: every temporary file is deleted.
            String truncated = "--x\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm\r\n--x\r\n"
                    + "Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                    + "Content-Type: audio/wav\r\n\r\n" + "w".repeat(1024) + "\r\n--x\r\nContent-Disposition: form";
            for (int i = 0; i < 50; i++) {
                var res = gw.post("/v1/audio/transcriptions", truncated, "content-type",
                        "multipart/form-data; boundary=x");
                assertEquals(400, res.statusCode(), res.body());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tempFiles() > before && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(before, tempFiles(), "no budgateway-upload-*.part left behind");
            // An unknown method with Expect: 100-continue.
            try (Socket s = new Socket("127.0.0.1", gw.gateway.port())) {
                s.getOutputStream().write(("PROPFIND /v1/chat/completions HTTP/1.1\r\nhost: x\r\nexpect: 100-continue"
                        + "\r\ncontent-length: 5\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                String answer = readAll(s.getInputStream());
                assertFalse(answer.startsWith("HTTP/1.1 500"), answer);
                assertTrue(answer.matches("(?s)HTTP/1.1 (405|417|400|404).*"), answer);
            }
        } finally {
            release(log);
        }
        assertNoWarnings(log);
    }

    private static long tempFiles() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("budgateway-upload-")).count();
        }
    }

    // ---- 6: a "success" from the upstream is checked before it is one

    @Test
    void brokenSuccessAnswersAreFailuresThatFallBack() throws Exception {
        gw = fx.start(config("", ""));
        List<HttpResponse> broken = List.of(
                HttpResponse.of(HttpStatus.OK, com.linecorp.armeria.common.MediaType.parse("text/html"), "<html>login"),
                HttpResponse.of(HttpStatus.OK, com.linecorp.armeria.common.MediaType.JSON_UTF_8, "{\"choices\":[{"),
                HttpResponse.of(HttpStatus.OK, com.linecorp.armeria.common.MediaType.JSON_UTF_8,
                        "{\"error\":{\"message\":\"overloaded\"}}"),
                HttpResponse.of(HttpStatus.NO_CONTENT),
                HttpResponse.of(ResponseHeaders.of(HttpStatus.FOUND, "location", "http://elsewhere/")));
        for (HttpResponse answer : broken) {
            a.received.clear();
            b.received.clear();
            a.handle((ctx, r) -> answer);
            var res = gw.post("/v1/chat/completions", CHAT);
            assertEquals(200, res.statusCode(), res.body());
            assertTrue(res.body().contains("from b"), "fell back to b: " + res.body());
            assertEquals(1, a.received.size());
        }
        // Without a fallback the client gets a 502 that says what was wrong.
        a.handle((ctx, r) -> HttpResponse.of(HttpStatus.OK, com.linecorp.armeria.common.MediaType.parse("text/html"),
                "<html>"));
        b.handle((ctx, r) -> HttpResponse.of(HttpStatus.OK, com.linecorp.armeria.common.MediaType.JSON_UTF_8, "[]"));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(502, res.statusCode(), res.body());
        // A stream request answered with JSON is not a stream.
        a.handle((ctx, r) -> MockOpenAi.json(200, MockOpenAi.chatCompletion("not a stream")));
        b.answerChat("from b");
        var stream = gw.post("/v1/chat/completions", STREAM);
        assertTrue(stream.body().contains("from") && stream.body().contains("[DONE]"), stream.body());
        assertEquals("b", stream.headers().firstValue("x-gateway-provider").orElseThrow());
    }

    @Test
    void aGzippedAnswerIsDecodedNotPassedOnAsGarbage() throws Exception {
        gw = fx.start(config("", ""));
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(zipped)) {
            z.write(MockOpenAi.chatCompletion("compressed hello").getBytes(StandardCharsets.UTF_8));
        }
        a.handle((ctx, r) -> HttpResponse.of(ResponseHeaders.of(HttpStatus.OK, "content-type", "application/json",
                "content-encoding", "gzip"), HttpData.wrap(zipped.toByteArray())));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("compressed hello", json(res.body()).path("choices").path(0).path("message").path("content")
                .asText());
    }

    // ---- 7: a client that never finishes sending

    @Test
    void aSlowBodyGetsA408AndSlowHeadersACloseInsteadOfHoldingAConnectionForever() throws Exception {
        gw = fx.start(config("request_body_timeout_ms = 500\nidle_timeout_ms = 700\n", ""));
        try (Socket s = new Socket("127.0.0.1", gw.gateway.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: "
                    + "application/json\r\ncontent-length: 1000\r\n\r\n{\"model\":").getBytes(StandardCharsets.UTF_8));
            long start = System.nanoTime();
            String answer = readAll(s.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3_000);
        }
        try (Socket s = new Socket("127.0.0.1", gw.gateway.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n".getBytes(
                    StandardCharsets.UTF_8));
            long start = System.nanoTime();
            readAll(s.getInputStream()); // returns when the gateway closes the connection
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3_000, "closed by the gateway");
        }
        assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode(), "a normal client is served");
    }

    // ---- 8 and 9: what the client reads about an upstream failure

    @Test
    void upstreamFailuresNeverShowAClassNameOrTheProvidersKey() throws Exception {
        String key = "sk-provider-secret-0123456789";
        gw = fx.start(config("", "").replace("routing = [\"a\", \"b\"]", "routing = [\"a\"]")
                .replaceFirst("api_key_location = \"none\"", "api_key_location = \"env::K\""), Map.of("K", key));
        // The key in type and code, and in a message long enough to be cut right where the key stands.
        a.handle((ctx, r) -> MockOpenAi.json(401, "{\"error\":{\"message\":" + MockOpenAi.quote("x".repeat(1990)
                + key) + ",\"type\":\"bad key " + key + "\",\"code\":\"" + key + "\"}}"));
        var res = gw.post("/v1/chat/completions", CHAT);
        assertEquals(401, res.statusCode());
        for (int i = 0; i + 8 <= key.length(); i++) {
            assertFalse(res.body().contains(key.substring(i, i + 8)), "no piece of the key: " + res.body());
        }
        // The upstream connection closes halfway through the answer.
        a.handle((ctx, r) -> {
            HttpResponseWriter w = HttpResponse.streaming();
            w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "application/json", "content-length", "1000"));
            w.write(HttpData.ofUtf8("{\"choices\":"));
            ctx.eventLoop().schedule(() -> w.abort(), 50, TimeUnit.MILLISECONDS);
            return w;
        });
        var cut = gw.post("/v1/chat/completions", CHAT);
        assertEquals(502, cut.statusCode(), cut.body());
        assertFalse(cut.body().matches("(?s).*[A-Z][a-zA-Z]*(Exception|Error)\\b.*"), cut.body());
    }

    // ---- 11: shutdown drains (the real SIGTERM is in bin/smoke-test)

    @Test
    void shutdownLetsStreamsFinishReportsNotReadyAndEndsTheRestWithAnError() throws Exception {
        Gateway gateway = Gateway.start(dev.budgateway.config.ConfigLoader.parse(config("", "")
                .replace("shutdown_grace_period_ms = 0", "shutdown_grace_period_ms = 4000")
                .replace("routing = [\"a\", \"b\"]", "routing = [\"a\"]"), k -> null), k -> null);
        TestGateway client = new TestGateway(gateway);
        a.handle((ctx, r) -> a.sse(ctx, MockOpenAi.chatEvents(List.of("one ", "two ", "three ", "four ", "five"),
                false), 0, 200)); // ~1.2 s
        List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            streams.add(client.http().sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    client.baseUrl + "/v1/chat/completions")).header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(STREAM)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(300);
        var closed = gateway.closeAsync();
        assertEquals(503, client.get("/health").statusCode(), "not ready while draining");
        for (var s : streams) {
            String body = s.get(10, TimeUnit.SECONDS).body();
            assertTrue(body.contains("five") && body.contains("[DONE]") && !body.contains("\"error\""), body);
        }
        closed.get(10, TimeUnit.SECONDS);

        // A stream longer than the grace period ends with an error event, not a reset connection.
        Gateway second = Gateway.start(dev.budgateway.config.ConfigLoader.parse(config("", "")
                .replace("shutdown_grace_period_ms = 0", "shutdown_grace_period_ms = 300")
                .replace("routing = [\"a\", \"b\"]", "routing = [\"a\"]"), k -> null), k -> null);
        TestGateway client2 = new TestGateway(second);
        a.handle((ctx, r) -> a.sse(ctx, MockOpenAi.chatEvents(List.of("a ", "b ", "c ", "d ", "e ", "f "), false), 0,
                500));
        var longStream = client2.http().sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                client2.baseUrl + "/v1/chat/completions")).header("content-type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(STREAM)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Thread.sleep(700);
        second.closeAsync();
        String body = longStream.get(10, TimeUnit.SECONDS).body();
        assertTrue(body.contains("shutting_down") && body.contains("[DONE]"), body);
    }

    // ---- 12: a client that leaves is not a warning

    @Test
    void clientsThatDisconnectMidRequestAreNotLoggedAsWarnings() throws Exception {
        gw = fx.start(config("", ""));
        ListAppender<ILoggingEvent> log = capture();
        try {
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket("127.0.0.1", gw.gateway.port())) {
                    s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: "
                            + "application/json\r\ncontent-length: 500\r\n\r\n{\"model\":\"m\",").getBytes(
                                    StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                }
            }
            Thread.sleep(500);
            assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        } finally {
            release(log);
        }
        assertNoWarnings(log);
    }

    // ---- helpers

    private static ListAppender<ILoggingEvent> capture() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
    }

    private static void assertNoWarnings(ListAppender<ILoggingEvent> log) {
        List<String> warnings = log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                && e.getLoggerName().startsWith("dev.budgateway")).map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // what came so far
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
