package dev.budgateway.plugins.runtime.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.runtime.ChainEntry;
import dev.budgateway.plugins.runtime.ChainObserver;
import dev.budgateway.plugins.runtime.ChainRunner;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.runtime.FilterChain;
import dev.budgateway.plugins.runtime.OnError;
import dev.budgateway.plugins.runtime.ResponsePipeline;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.Terminal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a filter chain in a unit test, in milliseconds, without a server: requests go through the chain on
 * a single-thread event loop (the exchange asserts it is touched only there), the upstream is a script
 * ({@link Upstreams}), and the response is delivered through the listeners the chain registered, as the
 * gateway delivers it. Filters are built by the test (from their factory, or directly).
 *
 * <pre>{@code
 * try (ChainHarness h = ChainHarness.create().filter("mine", myFilter).upstream(Upstreams.stream("Hi"))) {
 *     ChainHarness.Outcome o = h.send("{\"model\":\"m\",\"messages\":[]}");
 *     assertEquals("Hi", o.text());
 * }
 * }</pre>
 */
public final class ChainHarness implements AutoCloseable {

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chain-harness-loop");
        t.setDaemon(true);
        return t;
    });
    private final Thread loopThread;
    private final List<ChainEntry> entries = new ArrayList<>();
    private Terminal upstream = Upstreams.unary("{\"choices\":[]}");
    private ApiEndpoint endpoint = ApiEndpoint.CHAT;

    private ChainHarness() {
        try {
            loopThread = loop.submit(Thread::currentThread).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static ChainHarness create() {
        return new ChainHarness();
    }

    /** Appends a filter that fails closed, with the default {@code timeout_ms}. */
    public ChainHarness filter(String name, Filter filter) {
        return filter(name, filter, OnError.REJECT, FilterConfig.DEFAULT_TIMEOUT_MS);
    }

    public ChainHarness filter(String name, Filter filter, OnError onError, long timeoutMs) {
        entries.add(new ChainEntry(name, name, filter, onError, timeoutMs));
        return this;
    }

    /** What answers each attempt (the provider call); {@link Upstreams} has the usual scripts. */
    public ChainHarness upstream(Terminal upstream) {
        this.upstream = upstream;
        return this;
    }

    public ChainHarness endpoint(ApiEndpoint endpoint) {
        this.endpoint = endpoint;
        return this;
    }

    /** The connection's other end, as the server sets it from the socket ({@code Keys.PEER_ADDRESS}). */
    public ChainHarness peer(String address) {
        try {
            this.peer = new java.net.InetSocketAddress(java.net.InetAddress.getByName(address), 50000);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
        return this;
    }

    private java.net.InetSocketAddress peer;

    public Outcome send(String jsonBody) throws Exception {
        return send(jsonBody, Map.of());
    }

    /** Runs one request through the chain and delivers its response; waits at most 10 s. */
    public Outcome send(String jsonBody, Map<String, String> headers) throws Exception {
        return send(jsonBody, headers, -1);
    }

    /** As {@link #send}, with the client going away {@code afterMs} after the request arrived. */
    public Outcome sendAndLeave(String jsonBody, Map<String, String> headers, long afterMs) throws Exception {
        return send(jsonBody, headers, afterMs);
    }

    private Outcome send(String jsonBody, Map<String, String> headers, long leaveAfterMs) throws Exception {
        ObjectNode body = (ObjectNode) Json.parse(jsonBody.getBytes(StandardCharsets.UTF_8));
        Map<String, String> lower = new HashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        loop.execute(() -> {
            DefaultExchange exchange = new DefaultExchange(endpoint, "POST", "/v1" + endpoint.path(), lower::get,
                    body, loop, () -> Thread.currentThread() == loopThread, System.nanoTime());
            exchange.put(Keys.REQUEST_ID, "harness");
            if (peer != null) {
                exchange.put(Keys.PEER_ADDRESS, peer);
            }
            if (body.path("model").isTextual()) {
                exchange.put(Keys.MODEL, body.get("model").asText());
            }
            exchange.put(Keys.STREAM, body.path("stream").asBoolean(false));
            Runnable[] leaveResponse = new Runnable[1];
            if (leaveAfterMs >= 0) {
                // As the server when the connection closes: the chain's pending work is cancelled through the
                // exchange, and a response on its way is cut (its upstream cancelled) and recorded as a 499.
                loop.schedule(() -> {
                    exchange.cancel();
                    if (leaveResponse[0] != null) {
                        leaveResponse[0].run();
                    }
                }, leaveAfterMs, TimeUnit.MILLISECONDS);
            }
            new ChainRunner(new FilterChain(entries), upstream, ChainObserver.NONE).run(exchange)
                    .whenComplete((response, failure) -> loop.execute(() -> {
                        if (failure != null) {
                            GatewayError error = GatewayException.errorOf(failure);
                            done.complete(new Outcome(exchange, null, error, List.of(), completion(exchange,
                                    error)));
                        } else {
                            leaveResponse[0] = deliver(exchange, response, done);
                        }
                    }));
        });
        return done.get(10, TimeUnit.SECONDS);
    }

    /**
     * As the gateway's responder: the listeners see the head, each chunk, the end and the completion.
     * Gives what to do when the client leaves.
     */
    private Runnable deliver(DefaultExchange exchange, Response response, CompletableFuture<Outcome> done) {
        List<Chunk> written = new ArrayList<>();
        long[] firstWritten = {-1};
        ResponsePipeline[] pipeline = new ResponsePipeline[1];
        java.util.function.Consumer<GatewayError> finish = error -> {
            if (done.isDone()) {
                return;
            }
            Completion c = completion(exchange, error, usageOf(written), firstWritten[0]);
            pipeline[0].complete(c);
            done.complete(new Outcome(exchange, response, error, List.copyOf(written), c));
        };
        pipeline[0] = exchange.responsePipeline(new ResponsePipeline.Sink() {
            @Override
            public void write(Chunk chunk) {
                if (written.isEmpty()) {
                    firstWritten[0] = System.nanoTime() - exchange.startNanos();
                }
                written.add(chunk);
            }

            @Override
            public void end() {
                finish.accept(null);
            }

            @Override
            public void abort(GatewayError error) {
                response.body().cancel();
                finish.accept(error);
            }
        });
        pipeline[0].source(response.body());
        pipeline[0].head(response.head());
        response.body().subscribe(new ChunkSubscriber() {
            @Override
            public void onChunk(Chunk chunk) {
                pipeline[0].chunk(chunk);
            }

            @Override
            public void onEnd() {
                pipeline[0].end(); // the listeners may hold it back (an await); the sink's end() finishes
            }

            @Override
            public void onError(GatewayError error) {
                finish.accept(error);
            }
        });
        return () -> {
            response.body().cancel();
            finish.accept(GatewayError.clientGone());
        };
    }

    private static Completion completion(DefaultExchange exchange, GatewayError error) {
        return completion(exchange, error, null, -1);
    }

    /** As the responder: the last usage the written chunks carried. */
    private static dev.budgateway.plugins.spi.Usage usageOf(List<Chunk> written) {
        dev.budgateway.plugins.spi.Usage last = null;
        for (Chunk c : written) {
            if (!c.isFrames() && c.usage() != null) {
                last = c.usage();
            }
        }
        return last;
    }

    /** As the responder: a client gone is a cancel; {@code firstChunkNanos} is -1 when nothing was written. */
    private static Completion completion(DefaultExchange exchange, GatewayError error,
            dev.budgateway.plugins.spi.Usage usage, long firstChunkNanos) {
        Integer attempts = exchange.get(Keys.ATTEMPTS);
        return new Completion(error == null ? 200 : error.status(), usage, error, error == GatewayError.clientGone(),
                attempts == null ? 0 : attempts, exchange.get(Keys.SERVED_BY),
                System.nanoTime() - exchange.startNanos(), firstChunkNanos);
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }

    /**
     * How a request ended.
     *
     * @param response the response, or {@code null} when the chain failed
     * @param error why it failed: in the chain, or its stream after the head
     * @param chunks what reached the client, after the listeners
     */
    public record Outcome(DefaultExchange exchange, Response response, GatewayError error, List<Chunk> chunks,
            Completion completion) {

        /** A key of the exchange, read on its loop. */
        public <T> T get(Key<T> key) {
            try {
                return CompletableFuture.supplyAsync(() -> exchange.get(key), exchange.eventLoop()).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The generated text of every chunk, joined. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (Chunk c : chunks) {
                String t = c.text();
                if (t != null) {
                    sb.append(t);
                }
            }
            return sb.toString();
        }

        public int status() {
            return error != null ? error.status() : response.head().status();
        }
    }
}
