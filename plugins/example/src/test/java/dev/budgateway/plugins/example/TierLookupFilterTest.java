package dev.budgateway.plugins.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.plugins.runtime.OnError;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterResult;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The async filter example through the chain harness: a foreign-thread lookup, its timeout, a client leaving. */
class TierLookupFilterTest {

    static final String BODY = "{\"model\":\"m\",\"messages\":[]}";
    final TestFilterEnv env = new TestFilterEnv();

    @AfterEach
    void close() {
        env.close();
    }

    Filter lookup(long delayMs) throws Exception {
        return ExampleFilters.make(new TierLookupFilterFactory(), "{\"delay_ms\":" + delayMs
                + ",\"tiers\":{\"alice\":\"pro\",\"mallory\":\"blocked\"}}", env);
    }

    @Test
    void theAnswerFromAnotherThreadIsWrittenOnTheLoop() throws Exception {
        // The harness's exchange asserts every access is on its loop: this passes only through await.
        try (ChainHarness h = ChainHarness.create().filter("tier", lookup(10))
                .filter("routing", e -> FilterResult.CONTINUE).upstream(Upstreams.unary("{\"choices\":[]}"))) {
            ChainHarness.Outcome o = h.send(BODY, Map.of("x-example-user", "alice"));
            assertNull(o.error());
            assertEquals("pro", o.response().head().headers().get("x-example-tier"));
            assertEquals(403, h.send(BODY, Map.of("x-example-user", "mallory")).status());
        }
    }

    @Test
    void aSlowLookupTimesOutAndItsOnErrorDecides() throws Exception {
        try (ChainHarness h = ChainHarness.create().filter("tier", lookup(2_000), OnError.REJECT, 50)
                .filter("routing", e -> FilterResult.CONTINUE)) {
            ChainHarness.Outcome o = h.send(BODY, Map.of("x-example-user", "alice"));
            assertEquals(504, o.status());
            assertTrue(o.error().message().contains("'tier'"), o.error().message());
        }
        try (ChainHarness h = ChainHarness.create().filter("tier", lookup(2_000), OnError.SKIP, 50)
                .filter("routing", e -> FilterResult.CONTINUE).upstream(Upstreams.unary("{\"choices\":[]}"))) {
            ChainHarness.Outcome o = h.send(BODY, Map.of("x-example-user", "alice"));
            assertEquals(200, o.status(), "skip: the request goes on without a tier");
            assertNull(o.response().head().headers().get("x-example-tier"));
        }
    }

    @Test
    void theLookupIsCancelledWhenTheClientLeaves() throws Exception {
        try (ChainHarness h = ChainHarness.create().filter("tier", lookup(2_000))
                .filter("routing", e -> FilterResult.CONTINUE)) {
            long start = System.nanoTime();
            ChainHarness.Outcome o = h.sendAndLeave(BODY, Map.of("x-example-user", "alice"), 30);
            assertEquals(499, o.status());
            assertTrue(System.nanoTime() - start < 1_000_000_000L);
        }
    }
}
