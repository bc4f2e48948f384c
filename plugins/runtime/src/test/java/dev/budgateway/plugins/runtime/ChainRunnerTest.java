package dev.budgateway.plugins.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
        foreign.shutdownNow();
    }

    private volatile Thread loopThread;

    /** An exchange that knows its loop: touching it from another thread fails the assertion. */
    private DefaultExchange exchange() {
        try {
            loopThread = loop.submit(Thread::currentThread).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return new DefaultExchange(ApiEndpoint.CHAT, "POST", "/v1/chat/completions", name -> null,
                JsonNodeFactory.instance.objectNode(), loop, () -> Thread.currentThread() == loopThread,
                System.nanoTime());
    }

    /** An exchange the test itself inspects from its own thread once the chain is done. */
    private DefaultExchange inspectedExchange() {
        return new DefaultExchange(ApiEndpoint.CHAT, "POST", "/v1/chat/completions", name -> null,
                JsonNodeFactory.instance.objectNode(), loop, System.nanoTime());
    }

    /** A lookup answered on a thread that is not the loop, as a client library's callbacks are. */
    private final ScheduledExecutorService foreign = Executors.newSingleThreadScheduledExecutor();

    private CompletableFuture<String> lookup(String value, long delayMs) {
        CompletableFuture<String> f = new CompletableFuture<>();
        foreign.schedule(() -> f.complete(value), delayMs, TimeUnit.MILLISECONDS);
        return f;
    }

    @Test
    void anAwaitedLookupFromAForeignThreadIsAppliedOnTheLoop() throws Exception {
        Filter async = ex -> FilterResult.await(lookup("gold", 20), (e, tier) -> {
            e.put(NOTE, tier); // asserts it is on the loop
            log.add("decided on " + (Thread.currentThread() == loopThread ? "the loop" : "another thread"));
            return FilterResult.CONTINUE;
        });
        run(List.of(entry("async", async)), exchange());
        assertEquals(List.of("decided on the loop", "terminal:-:gold"), log);
    }

    @Test
    void touchingTheExchangeOffItsLoopFailsLoudly() throws Exception {
        DefaultExchange ex = exchange();
        AssertionError e = assertThrows(AssertionError.class, () -> ex.put(NOTE, "from the test thread"));
        assertTrue(e.getMessage().contains("FilterResult.await"), e.getMessage());
    }

    @Test
    void aLookupThatTakesLongerThanTimeoutMsIsRejectedOrSkippedAndCancelled() throws Exception {
        CompletableFuture<String> slow = lookup("late", 5_000);
        Filter async = ex -> FilterResult.await(slow, (e, v) -> FilterResult.CONTINUE);
        long start = System.nanoTime();
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(List.of(
                new ChainEntry("lookup", "lookup", async, OnError.REJECT, 100)), exchange()));
        assertEquals(504, GatewayException.unwrap(e).status());
        assertTrue(GatewayException.unwrap(e).message().contains("'lookup' did not decide within 100 ms"));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2_000);
        assertTrue(slow.isCancelled(), "the lookup is cancelled");

        CompletableFuture<String> slow2 = lookup("late", 5_000);
        run(List.of(new ChainEntry("lookup", "lookup", ex -> FilterResult.await(slow2, (x, v) -> FilterResult.CONTINUE),
                OnError.SKIP, 100), entry("after", logging("after"))), exchange());
        assertEquals(List.of("after", "terminal:-:null"), log, "on_error = skip: the chain goes on");
        assertTrue(slow2.isCancelled());
    }

    @Test
    void aClientThatLeavesCancelsThePendingLookupAndEndsTheChain() throws Exception {
        CompletableFuture<String> slow = lookup("late", 5_000);
        DefaultExchange ex = exchange();
        foreign.schedule(() -> loop.execute(ex::cancel), 50, TimeUnit.MILLISECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(List.of(
                entry("lookup", x -> FilterResult.await(slow, (y, v) -> FilterResult.CONTINUE)),
                entry("after", logging("after"))), ex));
        assertEquals(499, GatewayException.unwrap(e).status());
        assertTrue(slow.isCancelled());
        assertEquals(List.of(), log, "nothing after the filter ran");
    }

    @Test
    void aFailedLookupIsTheFilterFailing() throws Exception {
        Filter failing = ex -> FilterResult.await(CompletableFuture.failedFuture(new IllegalStateException("down")),
                (e, v) -> FilterResult.CONTINUE);
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(List.of(entry("f", failing)),
                exchange()));
        assertEquals(500, GatewayException.unwrap(e).status());
        run(List.of(new ChainEntry("f", "f", failing, OnError.SKIP), entry("b", logging("b"))), exchange());
        assertEquals(List.of("b", "terminal:-:null"), log);
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
        DefaultExchange ex = inspectedExchange();
        run(List.of(entry("once", logging("once")),
                entry("driver", driver(List.of(new RouteTarget("m", "bad"), new RouteTarget("m", "good")))),
                entry("per-attempt", perAttempt)), ex);
        assertEquals(List.of("once", "per-attempt saw null", "terminal:bad:attempt-bad",
                "listener of bad status 502", "per-attempt saw null", "terminal:good:attempt-good"), log);
        assertNull(ex.get(NOTE), "attempt writes do not leak into the request");
        assertEquals(2, ex.get(Keys.ATTEMPTS));
        assertEquals(new RouteTarget("m", "good"), ex.get(Keys.SERVED_BY));
        assertEquals(1, ex.listeners().size(), "the winning attempt's listener joins the request's");

        // The attempt log: the failed attempt ended with its error; the serving one ends with the request.
        Completion end = new Completion(200, new dev.budgateway.plugins.spi.Usage(5, 2), null, false, 2,
                new RouteTarget("m", "good"), System.nanoTime() - ex.startNanos(), -1);
        List<dev.budgateway.plugins.spi.UpstreamAttempt> attempts = ex.attemptLog().finish(end);
        assertEquals(2, attempts.size());
        assertEquals("bad", attempts.get(0).target().provider());
        assertEquals(502, attempts.get(0).status());
        assertEquals(false, attempts.get(0).served());
        assertEquals("good", attempts.get(1).target().provider());
        assertEquals(true, attempts.get(1).served());
        assertEquals(200, attempts.get(1).status());
        assertEquals(new dev.budgateway.plugins.spi.Usage(5, 2), attempts.get(1).usage());
        assertTrue(attempts.get(1).startNanos() >= attempts.get(0).startNanos() + attempts.get(0).durationNanos(),
                "the second started after the first failed");
        assertTrue(attempts.get(1).startNanos() + attempts.get(1).durationNanos() <= end.durationNanos(),
                "no attempt outlasts its request");
        assertNotEquals(attempts.get(0).id(), attempts.get(1).id());
    }

    @Test
    void anAttemptWhoseResponseTheDriverGivesUpOnStillGetsOnCompleteOnce() throws Exception {
        // As the fallback filter does with a stream that fails before its first content: the first attempt
        // answered, the driver dropped that answer and served the second.
        UpstreamDriver abandoning = (exchange, downstream) -> downstream.attempt(new RouteTarget("m", "first"))
                .thenCompose(dropped -> downstream.attempt(new RouteTarget("m", "second")));
        Filter perAttempt = ex -> {
            ex.addListener(new ResponseListener() {
                @Override
                public void onComplete(Completion c) {
                    log.add(c.servedBy().provider() + " " + c.status() + " " + (c.error() == null ? "-"
                            : c.error().code()));
                }
            });
            return FilterResult.CONTINUE;
        };
        DefaultExchange ex = inspectedExchange();
        run(List.of(entry("driver", abandoning), entry("per-attempt", perAttempt)), ex);
        assertEquals(List.of("terminal:first:null", "terminal:second:null", "first 502 attempt_abandoned"), log);
        assertEquals(1, ex.listeners().size(), "the serving attempt's listener is the request's, told at its end");
        List<dev.budgateway.plugins.spi.UpstreamAttempt> attempts = ex.attemptLog().finish(new Completion(200, null,
                null, false, 2, new RouteTarget("m", "second"), System.nanoTime() - ex.startNanos(), -1));
        assertEquals("attempt_abandoned", attempts.get(0).error().code());
        assertEquals(true, attempts.get(1).served());
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
        DefaultExchange ex = inspectedExchange();
        ex.put(NOTE, "a");
        assertThrows(IllegalStateException.class, () -> ex.put(NOTE, "b"));
        ex.put(Keys.ATTEMPTS, 1);
        ex.put(Keys.ATTEMPTS, 2);
        assertTrue(ex.get(Keys.ATTEMPTS) == 2);
    }
}
