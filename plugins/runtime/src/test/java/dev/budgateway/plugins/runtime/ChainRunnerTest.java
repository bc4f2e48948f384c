package dev.budgateway.plugins.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkEmitter;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Downstream;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseListener;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.Terminal;
import dev.budgateway.plugins.spi.UpstreamDriver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChainRunnerTest {

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final List<String> log = new ArrayList<>();
    private static final Key<String> NOTE = Key.of("test.note", String.class);

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    private DefaultExchange exchange() {
        return new DefaultExchange(ApiEndpoint.CHAT, "POST", "/v1/chat/completions", name -> null,
                JsonNodeFactory.instance.objectNode(), loop, System.nanoTime());
    }

    private Filter logging(String name) {
        return ex -> {
            log.add(name);
            return FilterResult.CONTINUE;
        };
    }

    private final Terminal terminal = ex -> {
        RouteTarget t = ex.get(Keys.ATTEMPT_TARGET);
        log.add("terminal:" + (t == null ? "-" : t.provider()) + ":" + ex.get(NOTE));
        if (t != null && t.provider().equals("bad")) {
            return CompletableFuture.failedFuture(GatewayError.badGateway("bad provider").toException());
        }
        return CompletableFuture.completedFuture(Response.unary(200, Chunk.unary("{}".getBytes(StandardCharsets.UTF_8))));
    };

    private Response run(List<ChainEntry> entries, DefaultExchange ex) throws Exception {
        CompletableFuture<Response> f = new CompletableFuture<>();
        loop.execute(() -> new ChainRunner(new FilterChain(entries), terminal, ChainObserver.NONE).run(ex)
                .whenComplete((r, t) -> {
                    if (t != null) {
                        f.completeExceptionally(t);
                    } else {
                        f.complete(r);
                    }
                }));
        return f.get(5, TimeUnit.SECONDS);
    }

    private static ChainEntry entry(String name, Filter f) {
        return new ChainEntry(name, name, f, OnError.REJECT);
    }

    @Test
    void filtersRunInOrderThenTheTerminal() throws Exception {
        run(List.of(entry("a", logging("a")), entry("b", logging("b"))), exchange());
        assertEquals(List.of("a", "b", "terminal:-:null"), log);
    }

    @Test
    void aRejectStopsTheChainWithItsError() {
        GatewayError denied = GatewayError.forbidden("no", "denied");
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(List.of(
                entry("deny", ex -> FilterResult.reject(denied)), entry("b", logging("b"))), exchange()));
        assertSame(denied, GatewayException.unwrap(e));
        assertEquals(List.of(), log);
    }

    @Test
    void pendingResultsContinueOnTheEventLoop() throws Exception {
        Filter async = ex -> {
            CompletableFuture<FilterResult> later = new CompletableFuture<>();
            Executors.newSingleThreadScheduledExecutor().schedule(() -> later.complete(FilterResult.CONTINUE), 10,
                    TimeUnit.MILLISECONDS);
            return FilterResult.pending(later.thenApply(r -> {
                log.add("async");
                return r;
            }));
        };
        Thread[] thread = new Thread[1];
        run(List.of(entry("async", async), entry("after", ex -> {
            thread[0] = Thread.currentThread();
            return FilterResult.CONTINUE;
        })), exchange());
        assertEquals(List.of("async", "terminal:-:null"), log);
        CompletableFuture<Thread> loopThread = new CompletableFuture<>();
        loop.execute(() -> loopThread.complete(Thread.currentThread()));
        assertSame(loopThread.get(), thread[0], "the chain resumed on the exchange's event loop");
    }

    @Test
    void aThrowingFilterIs500UnlessItFailsOpen() throws Exception {
        Filter bug = ex -> {
            throw new IllegalStateException("bug");
        };
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(List.of(entry("bug", bug)), exchange()));
        assertEquals(500, GatewayException.unwrap(e).status());
        run(List.of(new ChainEntry("bug", "bug", bug, OnError.SKIP), entry("b", logging("b"))), exchange());
        assertEquals(List.of("b", "terminal:-:null"), log);
    }

    /** Tries each target until one works, like the fallback filter. */
    private static UpstreamDriver driver(List<RouteTarget> targets) {
        return new UpstreamDriver() {
            @Override
            public CompletionStage<Response> drive(Exchange exchange, Downstream downstream) {
                CompletionStage<Response> s = downstream.attempt(targets.get(0));
                for (RouteTarget t : targets.subList(1, targets.size())) {
                    s = s.exceptionallyCompose(err -> downstream.attempt(t));
                }
                return s;
            }
        };
    }

    @Test
    void filtersAfterTheDriverRunOncePerAttemptWithTheirOwnWrites() throws Exception {
        Filter perAttempt = ex -> {
            log.add("per-attempt saw " + ex.get(NOTE));
            ex.put(NOTE, "attempt-" + ex.get(Keys.ATTEMPT_TARGET).provider());
            ex.addListener(new ResponseListener() {
                @Override
                public void onComplete(Completion c) {
                    log.add("listener of " + ex.get(Keys.ATTEMPT_TARGET).provider() + " status " + c.status());
                }
            });
            return FilterResult.CONTINUE;
        };
        DefaultExchange ex = exchange();
        run(List.of(entry("once", logging("once")),
                entry("driver", driver(List.of(new RouteTarget("m", "bad"), new RouteTarget("m", "good")))),
                entry("per-attempt", perAttempt)), ex);
        assertEquals(List.of("once", "per-attempt saw null", "terminal:bad:attempt-bad",
                "listener of bad status 502", "per-attempt saw null", "terminal:good:attempt-good"), log);
        assertNull(ex.get(NOTE), "attempt writes do not leak into the request");
        assertEquals(2, ex.get(Keys.ATTEMPTS));
        assertEquals(new RouteTarget("m", "good"), ex.get(Keys.SERVED_BY));
        assertEquals(1, ex.listeners().size(), "the winning attempt's listener joins the request's");
    }

    @Test
    void listenersSeeChunksInReverseOrderAndCanRewriteThem() {
        List<String> written = new ArrayList<>();
        ResponseListener first = new ResponseListener() {
            @Override
            public void onChunk(Chunk chunk, ChunkEmitter next) {
                next.emit(Chunk.event((chunk.dataAsString() + "+first").getBytes(StandardCharsets.UTF_8)));
            }
        };
        ResponseListener second = new ResponseListener() {
            @Override
            public void onChunk(Chunk chunk, ChunkEmitter next) {
                next.emit(Chunk.event((chunk.dataAsString() + "+second").getBytes(StandardCharsets.UTF_8)));
                next.emit(Chunk.event("extra".getBytes(StandardCharsets.UTF_8)));
            }
        };
        ResponsePipeline p = new ResponsePipeline(List.of(first, second), new ResponsePipeline.Sink() {
            @Override
            public void write(Chunk chunk) {
                written.add(chunk.dataAsString());
            }

            @Override
            public void abort(GatewayError error) {
                written.add("abort");
            }
        });
        p.chunk(Chunk.event("x".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("x+second+first", "extra+first"), written);
    }

    @Test
    void immutableKeysAreWriteOnce() {
        DefaultExchange ex = exchange();
        ex.put(NOTE, "a");
        assertThrows(IllegalStateException.class, () -> ex.put(NOTE, "b"));
        ex.put(Keys.ATTEMPTS, 1);
        ex.put(Keys.ATTEMPTS, 2);
        assertTrue(ex.get(Keys.ATTEMPTS) == 2);
    }
}
