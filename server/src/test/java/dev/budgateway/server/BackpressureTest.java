package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading holds its upstream back: the gateway asks the upstream for more only as the
 * client takes what was sent, so a fast upstream and a slow client do not make the gateway buffer the
 * whole answer.
 */
class BackpressureTest {

    static final int EVENTS = 10_000;
    static final String FILLER = "x".repeat(2_000);

    static MockOpenAi upstream;
    static TestGateway gw;
    /** The same, with a listener in the chain that pauses the stream for asynchronous checks. */
    static TestGateway pausing;
    static volatile long upstreamDoneNanos;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        gw = TestGateway.start(TestGateway.mockModel(upstream));
        pausing = TestGateway.start(TestGateway.mockModel(upstream) + "[[filters]]\ntype = \"test-pausing\"\n"
                + "[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n");
        upstream.handle((ctx, r) -> {
            HttpResponseWriter w = HttpResponse.streaming();
            w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "text/event-stream"));
            writeFrom(w, 0);
            return w;
        });
    }

    /** Writes event {@code i} once the previous one has been taken, so the writer's pace is the reader's. */
    private static void writeFrom(HttpResponseWriter w, int i) {
        if (i == EVENTS) {
            w.write(HttpData.wrap(MockOpenAi.sseBytes(java.util.List.of(MockOpenAi.chunk("{}", "stop"), "[DONE]"))));
            w.close();
            upstreamDoneNanos = System.nanoTime();
            return;
        }
        w.write(HttpData.ofUtf8("data: " + MockOpenAi.chunk("{\"content\":\"" + FILLER + "\"}", null) + "\n\n"));
        w.whenConsumed().thenRun(() -> writeFrom(w, i + 1));
    }

    @AfterAll
    static void stop() {
        gw.close();
        pausing.close();
        upstream.close();
    }

    @Test
    void aClientThatStopsReadingHoldsTheUpstreamBack() throws Exception {
        slowReaderHoldsTheUpstreamBack(gw);
    }

    @Test
    void backpressureStillHoldsWithAListenerThatPauses() throws Exception {
        int before = TestFilters.Pausing.CHECKS.get();
        slowReaderHoldsTheUpstreamBack(pausing);
        assertTrue(TestFilters.Pausing.CHECKS.get() - before >= EVENTS / 50, "the listener paused for its checks");
    }

    private void slowReaderHoldsTheUpstreamBack(TestGateway gw) throws Exception {
        upstreamDoneNanos = 0;
        upstream.received.clear();
        String body = "{\"model\":\"mock\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (Socket socket = gw.postSlowReader(body)) {
            long sent = System.nanoTime();
            Thread.sleep(2_000); // Not reading: ~20 MB are on their way.
            long readStart = System.nanoTime();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            StringBuilder tail = new StringBuilder();
            while ((n = in.read(buf)) > 0) {
                total += n;
                tail.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (tail.length() > 200) {
                    tail.delete(0, tail.length() - 200);
                }
            }
            assertTrue(total > (long) EVENTS * FILLER.length(), "the whole stream arrived: " + total + " bytes");
            assertTrue(tail.toString().contains("data: [DONE]"), tail.toString());
            assertTrue(upstreamDoneNanos > 0, "the upstream finished");
            long upstreamFinishedMs = TimeUnit.NANOSECONDS.toMillis(upstreamDoneNanos - sent);
            long clientReadMs = TimeUnit.NANOSECONDS.toMillis(readStart - sent);
            assertTrue(upstreamFinishedMs > clientReadMs, "the upstream finished " + upstreamFinishedMs
                    + " ms in, before the client read anything at " + clientReadMs + " ms: the gateway buffered it");
            assertEquals(1, upstream.received.size());
        }
    }
}
