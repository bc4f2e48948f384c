package dev.budgateway.server;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Filters for tests, on the test class path only; active only where a test config declares them. */
final class TestFilters {

    private TestFilters() {}

    /** {@code test-throw}: a buggy filter. */
    public static final class Throwing implements FilterFactory {
        @Override
        public String type() {
            return "test-throw";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) {
            return exchange -> {
                throw new IllegalStateException("bug in a filter, with secret sk-should-not-leak");
            };
        }
    }

    /**
     * {@code test-async}: decides after 20 ms, on a thread of the host scheduler's (not the exchange's loop),
     * and writes the exchange in its continuation, which the runner applies on the loop.
     */
    public static final class Async implements FilterFactory {
        static final dev.budgateway.plugins.spi.Key<String> DECIDED_ON = dev.budgateway.plugins.spi.Key.of(
                "test_async_decided_on", String.class);

        @Override
        public String type() {
            return "test-async";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
            return exchange -> {
                CompletableFuture<String> later = new CompletableFuture<>();
                env.scheduler().schedule(() -> later.complete(Thread.currentThread().getName()), 20,
                        TimeUnit.MILLISECONDS);
                return FilterResult.await(later, (ex, thread) -> {
                    ex.put(DECIDED_ON, thread);
                    return FilterResult.CONTINUE;
                });
            };
        }
    }

    /**
     * {@code test-pausing}: a listener that, every 50 chunks, pauses the stream for an asynchronous check
     * answered on another thread, as a streaming guardrail does.
     */
    public static final class Pausing implements FilterFactory {
        static final java.util.concurrent.atomic.AtomicInteger CHECKS = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public String type() {
            return "test-pausing";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) {
            return exchange -> {
                exchange.addListener(new dev.budgateway.plugins.spi.ResponseListener() {
                    private int seen;

                    @Override
                    public void onChunk(dev.budgateway.plugins.spi.Chunk chunk,
                            dev.budgateway.plugins.spi.ChunkEmitter next) {
                        if (++seen % 50 != 0) {
                            next.emit(chunk);
                            return;
                        }
                        CompletableFuture<Boolean> check = new CompletableFuture<>();
                        env.scheduler().schedule(() -> check.complete(true), 1, TimeUnit.MILLISECONDS);
                        next.await(check, ok -> {
                            CHECKS.incrementAndGet();
                            next.emit(chunk);
                        });
                    }
                });
                return FilterResult.CONTINUE;
            };
        }
    }

    /** What each {@code test-completions} listener was told, by request id: "name status [cancelled]". */
    static final java.util.Map<String, java.util.List<String>> COMPLETIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code test-completions}: registers a listener that records every onComplete it gets. */
    public static final class Completions implements FilterFactory {
        @Override
        public String type() {
            return "test-completions";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) {
            String name = config.name();
            return exchange -> {
                String id = exchange.get(dev.budgateway.plugins.spi.Keys.REQUEST_ID);
                exchange.addListener(new dev.budgateway.plugins.spi.ResponseListener() {
                    @Override
                    public void onComplete(dev.budgateway.plugins.spi.Completion c) {
                        COMPLETIONS.computeIfAbsent(id, k -> java.util.Collections.synchronizedList(
                                new java.util.ArrayList<>())).add(name + " " + c.status()
                                + (c.cancelled() ? " cancelled" : ""));
                    }
                });
                return FilterResult.CONTINUE;
            };
        }
    }

    /**
     * {@code test-gate}: decides by the request's {@code x-test-gate} header — {@code reject} (403),
     * {@code hang} (awaits a lookup that never completes, so the entry's timeout_ms ends it), else go on.
     */
    public static final class Gate implements FilterFactory {
        @Override
        public String type() {
            return "test-gate";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) {
            FilterResult reject = FilterResult.reject(dev.budgateway.plugins.spi.GatewayError.forbidden("gated",
                    "Gated"));
            return exchange -> switch (String.valueOf(exchange.header("x-test-gate"))) {
                case "reject" -> reject;
                case "hang" -> FilterResult.await(new CompletableFuture<String>(), (ex, v) -> FilterResult.CONTINUE);
                default -> FilterResult.CONTINUE;
            };
        }
    }

    /** What {@code test-lifecycle} saw, in order: finished exchanges ("status api"), closes, peers. */
    static final java.util.List<String> LIFECYCLE = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The state {@code test-lifecycle} reports for its dependency. */
    static final java.util.concurrent.atomic.AtomicReference<dev.budgateway.plugins.spi.DependencyState> DEPENDENCY =
            new java.util.concurrent.atomic.AtomicReference<>(dev.budgateway.plugins.spi.DependencyState.OK);

    /**
     * {@code test-lifecycle}: uses every host service a stateful filter needs: a completion sink, a counter,
     * the clock, a resource closed at shutdown, and its own close.
     */
    public static final class Lifecycle implements FilterFactory {
        @Override
        public String type() {
            return "test-lifecycle";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) {
            dev.budgateway.plugins.spi.FilterMetrics.Counter seen = env.metrics().counter("test_lifecycle.requests",
                    "Requests the test-lifecycle filter saw");
            long createdAt = env.clock().millis();
            env.addCompletionSink(f -> LIFECYCLE.add("finished " + f.completion().status() + " " + f.api()
                    + (f.exchange() == null ? " before-chain" : "")));
            env.onClose(() -> LIFECYCLE.add("resource closed"));
            env.dependency("test_dependency", DEPENDENCY::get);
            return new Filter() {
                @Override
                public FilterResult onRequest(dev.budgateway.plugins.spi.Exchange exchange) {
                    seen.increment();
                    java.net.InetSocketAddress peer = exchange.get(dev.budgateway.plugins.spi.Keys.PEER_ADDRESS);
                    LIFECYCLE.add("peer " + (peer == null ? null : peer.getAddress().getHostAddress())
                            + (env.clock().millis() >= createdAt ? "" : " clock went back"));
                    return FilterResult.CONTINUE;
                }

                @Override
                public void close() {
                    LIFECYCLE.add("filter closed");
                }
            };
        }
    }
}
