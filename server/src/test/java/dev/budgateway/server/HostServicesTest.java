package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the host gives a stateful filter, through a real server: a completion sink that hears of every
 * exchange (those refused before the chain too), metrics in the gateway's registry, the peer address, and
 * closing in order once the requests in flight have drained.
 */
class HostServicesTest {

    static final String CHAT = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aFilterGetsEveryFinishedExchangeItsMetricsAndItsCloseInOrder() throws Exception {
        TestFilters.LIFECYCLE.clear();
        try (MockOpenAi upstream = new MockOpenAi()) {
            upstream.answerChat("fine");
            TestGateway gw = TestGateway.start(TestGateway.mockModel(upstream) + """
                    [[filters]]
                    type = "test-lifecycle"
                    [[filters]]
                    type = "routing"
                    [[filters]]
                    type = "fallback"
                    """);
            assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(400, gw.post("/v1/chat/completions", "{not json").statusCode());
            assertEquals(200, gw.post("/v1/messages", "{\"model\":\"mock\",\"max_tokens\":5,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode());
            String health = gw.get("/health").body();
            assertTrue(health.contains("\"status\":\"ok\"") && health.contains("\"test_dependency\":\"ok\""), health);
            TestFilters.DEPENDENCY.set(dev.budgateway.plugins.spi.DependencyState.DOWN);
            HttpResponse<String> degraded = gw.get("/health");
            assertEquals(200, degraded.statusCode(), "a dependency down degrades, it does not take the gateway out");
            assertTrue(degraded.body().contains("\"status\":\"degraded\"")
                    && degraded.body().contains("\"test_dependency\":\"down\""), degraded.body());
            TestFilters.DEPENDENCY.set(dev.budgateway.plugins.spi.DependencyState.OK);
            String metrics = gw.get("/metrics").body();
            assertTrue(metrics.contains("budgateway_test_lifecycle_requests_total 2.0"), metrics.lines()
                    .filter(l -> l.contains("test_lifecycle")).toList().toString());
            waitFor(() -> TestFilters.LIFECYCLE.stream().filter(l -> l.startsWith("finished")).count() == 3);
            gw.gateway.closeAsync().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(
                    "peer 127.0.0.1",
                    "finished 200 chat",
                    "finished 400 chat before-chain",
                    "peer 127.0.0.1",
                    "finished 200 messages",
                    "filter closed",
                    "resource closed"), TestFilters.LIFECYCLE);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
