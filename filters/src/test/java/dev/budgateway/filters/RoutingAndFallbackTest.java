package dev.budgateway.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.filters.fallback.FallbackFilterFactory;
import dev.budgateway.filters.routing.RoutingFilterFactory;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.Terminal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The built-in routing and fallback filters, unit-tested through the chain harness: no server, no sockets. */
class RoutingAndFallbackTest {

    static final String MODELS = """
            [models.m]
            routing = ["a", "b"]
            fallback_models = ["spare"]
            [models.m.providers.a]
            type = "dummy"
            [models.m.providers.b]
            type = "dummy"
            [models.spare]
            routing = ["s"]
            [models.spare.providers.s]
            type = "dummy"
            [models.retrying]
            routing = ["r"]
            [models.retrying.providers.r]
            type = "dummy"
            retries = { num_retries = 2, max_delay_s = 0.05 }
            """;
    static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String STREAM = CHAT.replace("{\"model\"", "{\"stream\":true,\"model\"");

    FilterTestBed bed;
    ChainHarness harness;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        bed = new FilterTestBed(MODELS);
        harness = ChainHarness.create()
                .filter("routing", bed.filter(new RoutingFilterFactory(), ""))
                .filter("fallback", bed.filter(new FallbackFilterFactory(), ""));
    }

    @AfterEach
    void stop() {
        harness.close();
        bed.close();
    }

    /** Records each attempt's provider, then answers with the script of that provider. */
    private Terminal scripts(Map<String, Terminal> byProvider) {
        Terminal scripted = Upstreams.byProvider(byProvider);
        return exchange -> {
            RouteTarget t = exchange.get(Keys.ATTEMPT_TARGET);
            calls.add(t.provider());
            return scripted.call(exchange);
        };
    }

    @Test
    void routingWritesTheCandidatesInOrderWithTheFallbackModelsLast() throws Exception {
        harness.upstream(Upstreams.unary("{\"choices\":[]}"));
        ChainHarness.Outcome o = harness.send(CHAT);
        Route route = o.get(Keys.ROUTE);
        assertEquals(List.of(new RouteTarget("m", "a"), new RouteTarget("m", "b"), new RouteTarget("spare", "s")),
                route.targets());
        assertEquals(new RouteTarget("m", "a"), o.get(Keys.SERVED_BY));
    }

    @Test
    void anUnknownModelIsA404BeforeAnyAttempt() throws Exception {
        ChainHarness.Outcome o = harness.send(CHAT.replace("\"m\"", "\"nope\""));
        assertEquals(404, o.status());
        assertEquals("model_not_found", o.error().code());
        assertNull(o.get(Keys.ATTEMPTS));
    }

    @Test
    void retryableFailuresMoveToTheNextCandidateAndA400DoesNot() throws Exception {
        harness.upstream(scripts(Map.of("a", Upstreams.failing(GatewayError.badGateway("a is down")),
                "b", Upstreams.failing(new GatewayError(503, "upstream_error", "upstream_503", "b is busy")),
                "s", Upstreams.stream("from ", "spare"))));
        ChainHarness.Outcome o = harness.send(STREAM);
        assertEquals("from spare", o.text());
        assertEquals(List.of("a", "b", "s"), calls);
        assertEquals(3, (int) o.get(Keys.ATTEMPTS));

        calls.clear();
        harness.upstream(scripts(Map.of("a", Upstreams.failing(GatewayError.badRequest("bad", "your fault")))));
        ChainHarness.Outcome refused = harness.send(CHAT);
        assertEquals(400, refused.status());
        assertEquals(List.of("a"), calls, "a 4xx is the request's fault: no other candidate is tried");
    }

    @Test
    void aStreamThatFailsBeforeItsFirstContentFallsBackInvisibly() throws Exception {
        harness.upstream(scripts(Map.of("a", Upstreams.streamThenFail(GatewayError.badGateway("cut")),
                "b", Upstreams.stream("whole ", "answer"))));
        ChainHarness.Outcome o = harness.send(STREAM);
        assertNull(o.error());
        assertEquals("whole answer", o.text());
        assertEquals(List.of("a", "b"), calls);
        assertEquals(1, o.chunks().stream().filter(c -> c.json().path("choices").path(0).path("delta").has("role"))
                .count(), "one role chunk: the failed attempt's was held back and dropped");
    }

    @Test
    void aStreamThatFailsAfterContentEndsWithTheErrorAndIsNotRetried() throws Exception {
        harness.upstream(scripts(Map.of("a", Upstreams.streamThenFail(GatewayError.badGateway("cut"), "half"),
                "b", Upstreams.stream("never"))));
        ChainHarness.Outcome o = harness.send(STREAM);
        assertEquals("half", o.text());
        assertEquals(502, o.error().status());
        assertEquals(List.of("a"), calls, "after content the client has seen part of a; no second answer");
    }

    @Test
    void providerRetriesRepeatTheSameProviderWithBackoff() throws Exception {
        int[] n = {0};
        harness.upstream(scripts(Map.of("r", exchange -> ++n[0] < 3
                ? Upstreams.failing(GatewayError.badGateway("flaky")).call(exchange)
                : Upstreams.unary("{\"choices\":[{\"index\":0,\"message\":{\"content\":\"third\"}}]}")
                        .call(exchange))));
        ChainHarness.Outcome o = harness.send(CHAT.replace("\"m\"", "\"retrying\""));
        assertNull(o.error());
        assertEquals(List.of("r", "r", "r"), calls);
        assertTrue(o.text().contains("third"), o.text());
    }
}
