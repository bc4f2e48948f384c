package dev.budgateway.plugins.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterResult;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The streaming guardrail example through the chain harness: held text, an async check, a flushed tail. */
class RedactFilterTest {

    static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[]}";
    final TestFilterEnv env = new TestFilterEnv();

    @AfterEach
    void close() {
        env.close();
    }

    ChainHarness harness(String settings) throws Exception {
        return ChainHarness.create().filter("redact", ExampleFilters.make(new RedactFilterFactory(), settings, env))
                .filter("routing", e -> FilterResult.CONTINUE);
    }

    @Test
    void aWordSplitOverChunksIsHiddenAndTheTailComesAtTheEnd() throws Exception {
        AtomicInteger pauses = new AtomicInteger();
        try (ChainHarness h = harness("{\"words\":[\"password\"],\"check_delay_ms\":5}")
                .upstream(Upstreams.stream(pauses, "The pass", "word is hun", "ter2, not a pa", "ss"))) {
            ChainHarness.Outcome o = h.send(STREAM);
            assertNull(o.error());
            assertEquals("The [redacted] is hunter2, not a pass", o.text());
            assertTrue(pauses.get() >= 4, "each check paused the upstream: " + pauses.get());
            for (Chunk c : o.chunks()) {
                String t = c.text();
                assertFalse(t != null && t.toLowerCase().contains("pass") && t.contains("word"), t);
            }
            Chunk last = o.chunks().get(o.chunks().size() - 1);
            assertEquals("stop", last.json().path("choices").path(0).path("finish_reason").asText(),
                    "the held tail went out before the finish chunk, which stays last");
        }
    }

    @Test
    void theEndWaitsForTheTail() throws Exception {
        // No finish chunk: the stream's end is what flushes the held tail.
        try (ChainHarness h = harness("{\"words\":[\"secret\"],\"check_delay_ms\":20}")
                .upstream(Upstreams.streamThenEnd("top sec", "ret and more sec"))) {
            ChainHarness.Outcome o = h.send(STREAM);
            assertNull(o.error());
            assertEquals("top [redacted] and more sec", o.text());
        }
    }

    @Test
    void aUnaryAnswerIsCheckedWhole() throws Exception {
        try (ChainHarness h = harness("{\"words\":[\"secret\"],\"replacement\":\"***\"}")
                .upstream(Upstreams.unary("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"a SECRET plan\"},\"finish_reason\":\"stop\"}]}"))) {
            ChainHarness.Outcome o = h.send("{\"model\":\"m\",\"messages\":[]}");
            assertEquals(1, o.chunks().size());
            assertEquals("a *** plan", o.text());
        }
    }

    @Test
    void theClientLeavingDuringACheckEndsTheResponse() throws Exception {
        try (ChainHarness h = harness("{\"words\":[\"x\"],\"check_delay_ms\":2000}")
                .upstream(Upstreams.stream("a", "b"))) {
            long start = System.nanoTime();
            ChainHarness.Outcome o = h.sendAndLeave(STREAM, Map.of(), 50);
            assertEquals(499, o.status());
            assertTrue(System.nanoTime() - start < 1_500_000_000L, "did not wait for the check");
        }
    }

    @Test
    void badSettingsAreConfigErrors() {
        ConfigException none = assertThrows(ConfigException.class,
                () -> ExampleFilters.make(new RedactFilterFactory(), "{}", env));
        assertTrue(none.getMessage().contains("words"), none.getMessage());
        ConfigException loop = assertThrows(ConfigException.class, () -> ExampleFilters.make(
                new RedactFilterFactory(), "{\"words\":[\"red\"],\"replacement\":\"[redacted]\"}", env));
        assertTrue(loop.getMessage().contains("replacement"), loop.getMessage());
    }

    @Test
    void aListenerThatEmitsOffTheLoopFailsLoudly() throws Exception {
        // What the example avoids: emitting from the check's thread instead of through await.
        Filter wrong = exchange -> {
            exchange.addListener(new dev.budgateway.plugins.spi.ResponseListener() {
                @Override
                public void onChunk(Chunk chunk, dev.budgateway.plugins.spi.ChunkEmitter next) {
                    next.pause();
                    new Thread(() -> {
                        try {
                            next.emit(chunk);
                        } catch (AssertionError e) {
                            failures.incrementAndGet();
                        }
                    }).start();
                }
            });
            return FilterResult.CONTINUE;
        };
        try (ChainHarness h = ChainHarness.create().filter("wrong", wrong).filter("routing", e -> FilterResult.CONTINUE)
                .upstream(Upstreams.stream("a"))) {
            h.sendAndLeave(STREAM, Map.of(), 300);
        }
        assertTrue(failures.get() > 0, "the off-loop emit was caught by the loop assertion");
    }

    final AtomicInteger failures = new AtomicInteger();
}
