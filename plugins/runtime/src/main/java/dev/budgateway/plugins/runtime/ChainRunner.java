package dev.budgateway.plugins.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseListener;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.Terminal;
import dev.budgateway.plugins.spi.UpstreamDriver;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an exchange through a {@link FilterChain} and the {@link Terminal}. Filters before the upstream
 * driver run once; the driver then runs the filters after it and the terminal once per attempt.
 * Synchronous filters run in a plain loop; only a pending result costs a future.
 */
public final class ChainRunner {

    private static final Logger logger = LoggerFactory.getLogger(ChainRunner.class);

    private final FilterChain chain;
    private final Terminal terminal;
    private final ChainObserver observer;

    public ChainRunner(FilterChain chain, Terminal terminal, ChainObserver observer) {
        this.chain = chain;
        this.terminal = terminal;
        this.observer = observer;
    }

    public FilterChain chain() {
        return chain;
    }

    /**
     * Runs the chain. Completes with the response to send (its listeners, in chain order, are then in
     * {@link DefaultExchange#listeners()}), or fails with a {@link GatewayException}.
     */
    public CompletionStage<Response> run(DefaultExchange exchange) {
        int driver = chain.driverIndex();
        if (driver < 0) {
            return runFilters(exchange, 0, chain.size(), () -> callTerminal(exchange));
        }
        UpstreamDriver upstreamDriver = (UpstreamDriver) chain.entry(driver).filter();
        return runFilters(exchange, 0, driver + 1, () -> drive(exchange, upstreamDriver));
    }

    private CompletionStage<Response> drive(DefaultExchange exchange, UpstreamDriver driver) {
        Map<Object, AttemptExchange> attempts = new IdentityHashMap<>(2);
        CompletionStage<Response> driven;
        try {
            driven = driver.drive(exchange, (target, body) -> attempt(exchange, target, body, attempts));
        } catch (RuntimeException e) {
            logger.warn("Upstream driver '{}' failed", chain.entry(chain.driverIndex()).name(), e);
            return failed(GatewayError.internal("Internal error in filter '" + chain.entry(chain.driverIndex()).name()
                    + "'"));
        }
        return driven.whenComplete((response, failure) -> {
            AttemptExchange winner = response == null ? null : attempts.remove(response.head());
            if (winner != null) {
                // The winning attempt's listeners come after the request's: they see the response first.
                for (ResponseListener l : winner.listeners()) {
                    exchange.addListener(l);
                }
                exchange.put(Keys.SERVED_BY, winner.get(Keys.ATTEMPT_TARGET));
                winner.logEntry().served();
            }
            // Attempts that got a response the driver then gave up on (a stream that failed before its
            // first content): their listeners are told once, here, that they did not serve.
            attempts.values().forEach(ChainRunner::abandoned);
            attempts.clear();
        });
    }

    private static void abandoned(AttemptExchange attempt) {
        GatewayError error = new GatewayError(502, "upstream_error", "attempt_abandoned",
                "This attempt's response was not used: it failed before its first content");
        attempt.logEntry().failed(error);
        if (attempt.listeners().isEmpty()) {
            return;
        }
        completeListeners(attempt, new Completion(error.status(), null, error, false, 1,
                attempt.get(Keys.ATTEMPT_TARGET), System.nanoTime() - attempt.startNanos(), -1));
    }

    private static void completeListeners(AttemptExchange attempt, Completion completion) {
        for (ResponseListener l : attempt.listeners()) {
            try {
                l.onComplete(completion);
            } catch (RuntimeException e) {
                logger.warn("A listener's onComplete failed", e);
            }
        }
    }

    private CompletionStage<Response> attempt(DefaultExchange exchange, RouteTarget target, ObjectNode body,
            Map<Object, AttemptExchange> attempts) {
        Integer started = exchange.get(Keys.ATTEMPTS);
        exchange.put(Keys.ATTEMPTS, started == null ? 1 : started + 1);
        AttemptExchange attempt = new AttemptExchange(exchange, target, body);
        CompletionStage<Response> result = runFilters(attempt, chain.driverIndex() + 1, chain.size(),
                () -> callTerminal(attempt));
        return result.whenComplete((response, failure) -> {
            if (response != null) {
                attempt.logEntry().answered(response.head().status());
                attempts.put(response.head(), attempt);
                return;
            }
            GatewayError error = GatewayException.errorOf(failure);
            attempt.logEntry().failed(error);
            if (!attempt.listeners().isEmpty()) {
                completeListeners(attempt, new Completion(error.status(), null, error, false, 1, target,
                        System.nanoTime() - attempt.startNanos(), -1));
            }
        });
    }

    private CompletionStage<Response> callTerminal(DefaultExchange exchange) {
        try {
            return terminal.call(exchange);
        } catch (GatewayException e) {
            return failed(e.error());
        } catch (RuntimeException e) {
            logger.warn("Provider call failed", e);
            return failed(GatewayError.internal("Internal error while calling the provider"));
        }
    }

    private CompletionStage<Response> runFilters(DefaultExchange exchange, int from, int to,
            Supplier<CompletionStage<Response>> then) {
        // One clock read per filter: each filter's end is the next one's start.
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            ChainEntry entry = chain.entry(i);
            FilterResult result;
            try {
                result = entry.filter().onRequest(exchange);
            } catch (RuntimeException e) {
                result = onFilterError(entry, e, start);
                if (result == null) {
                    start = System.nanoTime();
                    continue;
                }
                return resolve(exchange, i, result, start, to, then);
            }
            if (result == FilterResult.CONTINUE) {
                long end = System.nanoTime();
                observer.onFilter(entry.name(), "continue", end - start);
                start = end;
                continue;
            }
            return resolve(exchange, i, result, start, to, then);
        }
        return then.get();
    }

    /** Handles a non-trivial result of filter {@code i}; continues the chain after it when it says so. */
    private CompletionStage<Response> resolve(DefaultExchange exchange, int i, FilterResult result, long start,
            int to, Supplier<CompletionStage<Response>> then) {
        ChainEntry entry = chain.entry(i);
        if (result instanceof FilterResult.Reject reject) {
            observer.onFilter(entry.name(), "reject", System.nanoTime() - start);
            return failed(reject.error());
        }
        if (result instanceof FilterResult.Respond respond) {
            observer.onFilter(entry.name(), "respond", System.nanoTime() - start);
            return CompletableFuture.completedFuture(respond.response());
        }
        if (result instanceof FilterResult.Pending pending) {
            return new Waiting<FilterResult>(exchange, i, start, to, then, (ex, decided) -> decided)
                    .on(pending.stage());
        }
        if (result instanceof FilterResult.Await<?> await) {
            return awaiting(exchange, i, start, to, then, await);
        }
        observer.onFilter(entry.name(), "continue", System.nanoTime() - start);
        return runFilters(exchange, i + 1, to, then);
    }

    private <T> CompletionStage<Response> awaiting(DefaultExchange exchange, int i, long start, int to,
            Supplier<CompletionStage<Response>> then, FilterResult.Await<T> await) {
        return new Waiting<>(exchange, i, start, to, then, await.then()).on(await.stage());
    }

    /**
     * A filter's asynchronous decision: whatever thread completes the stage, the continuation runs on the
     * exchange's event loop; the wait ends at the filter's {@code timeout_ms} (its {@code on_error}
     * decides) or when the client goes away, and either way the stage is cancelled. Only the first of
     * the three counts.
     */
    private final class Waiting<T> {
        private final DefaultExchange exchange;
        private final int index;
        private final long start;
        private final int to;
        private final Supplier<CompletionStage<Response>> then;
        private final BiFunction<Exchange, T, FilterResult> decide;
        private final CompletableFuture<Response> out = new CompletableFuture<>();
        private CompletionStage<T> stage;
        private ScheduledFuture<?> timer;
        private boolean settled;

        Waiting(DefaultExchange exchange, int index, long start, int to, Supplier<CompletionStage<Response>> then,
                BiFunction<Exchange, T, FilterResult> decide) {
            this.exchange = exchange;
            this.index = index;
            this.start = start;
            this.to = to;
            this.then = then;
            this.decide = decide;
        }

        CompletionStage<Response> on(CompletionStage<T> stage) {
            this.stage = stage;
            ScheduledExecutorService loop = exchange.eventLoop();
            timer = loop.schedule(this::timedOut, chain.entry(index).timeoutMs(), TimeUnit.MILLISECONDS);
            exchange.whenCancelled().thenRun(() -> loop.execute(this::clientGone));
            stage.whenComplete((value, failure) -> loop.execute(() -> completed(value, failure)));
            return out;
        }

        private boolean settle() {
            if (settled) {
                return false;
            }
            settled = true;
            timer.cancel(false);
            return true;
        }

        private void completed(T value, Throwable failure) {
            if (!settle()) {
                return;
            }
            ChainEntry entry = chain.entry(index);
            FilterResult decided;
            if (failure != null) {
                decided = onFilterError(entry, failure instanceof RuntimeException r ? r
                        : new RuntimeException(failure), start);
            } else {
                try {
                    decided = decide.apply(exchange, value);
                    if (decided == null) {
                        throw new NullPointerException("filter '" + entry.name() + "' decided null");
                    }
                } catch (RuntimeException e) {
                    decided = onFilterError(entry, e, start);
                }
            }
            forward(decided == null ? runFilters(exchange, index + 1, to, then)
                    : resolve(exchange, index, decided, start, to, then), out);
        }

        private void timedOut() {
            if (!settle()) {
                return;
            }
            cancel(stage);
            ChainEntry entry = chain.entry(index);
            observer.onFilter(entry.name(), "timeout", System.nanoTime() - start);
            // Counted, not warned about per request: a slow dependency would flood the log.
            logger.debug("Filter '{}' did not decide within {} ms", entry.name(), entry.timeoutMs());
            if (entry.onError() == OnError.SKIP) {
                forward(runFilters(exchange, index + 1, to, then), out);
            } else {
                out.completeExceptionally(GatewayError.timeout("Filter '" + entry.name() + "' did not decide "
                        + "within " + entry.timeoutMs() + " ms").toException());
            }
        }

        private void clientGone() {
            if (!settle()) {
                return;
            }
            cancel(stage);
            observer.onFilter(chain.entry(index).name(), "cancelled", System.nanoTime() - start);
            out.completeExceptionally(GatewayError.clientGone().toException());
        }
    }

    /** Cancels work nobody waits for any more; a stage that cannot be cancelled finishes unobserved. */
    static void cancel(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().cancel(false);
        } catch (UnsupportedOperationException e) {
            // Not cancellable: it runs to its end, and its result is ignored.
        }
    }

    /** The result standing in for a filter that failed: a 500, or {@code null} to skip it. */
    private FilterResult onFilterError(ChainEntry entry, RuntimeException e, long start) {
        observer.onFilter(entry.name(), "error", System.nanoTime() - start);
        GatewayError carried = GatewayException.unwrap(e);
        if (entry.onError() == OnError.SKIP) {
            logger.warn("Filter '{}' failed; skipped (on_error = \"skip\")", entry.name(), carried == null ? e : null);
            return null;
        }
        if (carried != null) {
            return FilterResult.reject(carried);
        }
        logger.warn("Filter '{}' failed", entry.name(), e);
        return FilterResult.reject(GatewayError.internal("Internal error in filter '" + entry.name() + "'"));
    }

    private static void forward(CompletionStage<Response> from, CompletableFuture<Response> to) {
        from.whenComplete((r, t) -> {
            if (t != null) {
                to.completeExceptionally(t);
            } else {
                to.complete(r);
            }
        });
    }


    private static CompletionStage<Response> failed(GatewayError error) {
        return CompletableFuture.failedFuture(error.toException());
    }
}
