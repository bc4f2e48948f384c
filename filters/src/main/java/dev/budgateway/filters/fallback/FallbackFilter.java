package dev.budgateway.filters.fallback;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Downstream;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.UpstreamDriver;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.ModelProvider;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives the attempts of the {@link AttemptPlan}: the route's candidates (the model's providers, then its
 * fallback models'), with each model's and provider's {@code retries}, each attempt through the rest of the
 * chain. A failure that another try could avoid (connection error, timeout, 429, 5xx) moves on, after a
 * backoff when the next attempt is a retry (an upstream {@code Retry-After} within {@code max_delay_s} is
 * waited instead; a longer one skips that upstream's retries); any other error (a 4xx: the request itself is
 * wrong) goes to the client at once. A provider whose breaker is open or whose health check fails is
 * skipped without waiting. A model's own {@code timeouts} bound all its attempts together:
 * {@code non_streaming.total_ms}, or for streams {@code streaming.ttft_ms}, until a response starts. A stream
 * counts as started at its first content: one that fails before it is a failed attempt too (see
 * {@link FirstContentGate}).
 */
final class FallbackFilter implements UpstreamDriver {

    private final int maxAttempts;
    private final boolean resume;
    private final long maxBytesBeforeContent;
    private final ModelCatalog catalog;

    FallbackFilter(int maxAttempts, boolean resume, long maxBytesBeforeContent, ModelCatalog catalog) {
        this.maxAttempts = maxAttempts;
        this.resume = resume;
        this.maxBytesBeforeContent = maxBytesBeforeContent;
        this.catalog = catalog;
    }

    @Override
    public CompletionStage<Response> drive(Exchange exchange, Downstream downstream) {
        Route route = exchange.get(Keys.ROUTE);
        CompletableFuture<Response> out = new CompletableFuture<>();
        Long budgetMs = budgetMs(route, Boolean.TRUE.equals(exchange.get(Keys.STREAM)));
        if (budgetMs != null) {
            GatewayError expired = GatewayError.timeout("Model '" + route.model() + "' did not answer within its "
                    + budgetMs + " ms (all attempts)");
            ScheduledFuture<?> deadline = exchange.eventLoop().schedule(() -> out.completeExceptionally(
                    expired.toException()), budgetMs, TimeUnit.MILLISECONDS);
            out.whenComplete((r, t) -> deadline.cancel(false));
        }
        // A client that leaves ends the plan: no retry or fallback is made for nobody.
        exchange.whenCancelled().thenRun(() -> out.completeExceptionally(GatewayError.clientGone().toException()));
        new Attempts(route, AttemptPlan.of(route, catalog), exchange, downstream, out).run(0, null);
        return out;
    }

    private Long budgetMs(Route route, boolean stream) {
        CatalogModel model = catalog.find(route.model());
        Timeouts t = model == null ? Timeouts.NONE : model.timeouts();
        return stream ? t.streamingTtftMs() : t.nonStreamingTotalMs();
    }

    /** One request's way through its plan. */
    private final class Attempts {
        private final Route route;
        private final List<AttemptPlan.Step> steps;
        private final Exchange exchange;
        private final Downstream downstream;
        private final CompletableFuture<Response> out;
        private int made;

        Attempts(Route route, List<AttemptPlan.Step> steps, Exchange exchange, Downstream downstream,
                CompletableFuture<Response> out) {
            this.route = route;
            this.steps = steps;
            this.exchange = exchange;
            this.downstream = downstream;
            this.out = out;
        }

        /** Makes attempt {@code index}, {@code last} being the failure of the one before (or {@code null}). */
        void run(int index, GatewayError last) {
            if (out.isDone()) {
                return;
            }
            if (index >= steps.size() || made >= maxAttempts) {
                out.completeExceptionally(new GatewayException(exhausted(last)));
                return;
            }
            made++;
            downstream.attempt(steps.get(index).target())
                    .thenCompose(response -> response.head().isStreaming() ? FirstContentGate.open(response,
                            maxBytesBeforeContent)
                            : CompletableFuture.completedFuture(response))
                    .whenComplete((response, failure) -> onAttempt(index, response, failure));
        }

        private void onAttempt(int index, Response response, Throwable failure) {
            if (failure == null) {
                if (resume && response.head().isStreaming() && exchange.endpoint() == ApiEndpoint.CHAT) {
                    response = new Response(response.head(), new ResumingStream(response.body(),
                            partial -> resumeAfter(index, partial)));
                }
                if (!out.complete(response)) {
                    // The model's deadline passed while this attempt was under way: nobody reads it.
                    response.body().cancel();
                }
                return;
            }
            GatewayError error = GatewayException.errorOf(failure);
            if (!error.isRetryable()) {
                out.completeExceptionally(new GatewayException(error));
                return;
            }
            int next = index + 1;
            RouteTarget failed = steps.get(index).target();
            boolean unavailable = "circuit_open".equals(error.code()) || "no_healthy_endpoint".equals(error.code());
            long delayMs = 0;
            while (next < steps.size() && steps.get(next).backoff() != null) {
                AttemptPlan.Step step = steps.get(next);
                boolean sameTarget = step.target().equals(failed);
                if (unavailable && sameTarget) {
                    next++; // Retrying a provider that is not taking requests is pointless.
                    continue;
                }
                delayMs = Backoff.delayMs(step.backoff(), step.retry(), sameTarget ? error.headers().get(
                        "retry-after") : null);
                if (delayMs >= 0) {
                    break;
                }
                // The upstream asked for a longer pause than the policy allows: go past its retries.
                while (next < steps.size() && steps.get(next).backoff() != null
                        && steps.get(next).target().equals(failed)) {
                    next++;
                }
                delayMs = 0;
            }
            int chosen = next;
            if (delayMs <= 0) {
                run(chosen, error);
            } else {
                ScheduledFuture<?> wait = exchange.eventLoop().schedule(() -> run(chosen, error), delayMs,
                        TimeUnit.MILLISECONDS);
                out.whenComplete((r, t) -> wait.cancel(false));
            }
        }

        /**
         * The continuation of a stream that broke after {@code partial} was sent, on the next step whose
         * provider takes prefill; {@code null} when there is none, or nothing was sent yet.
         */
        private CompletionStage<Response> resumeAfter(int index, String partial) {
            if (partial.isEmpty()) {
                return null;
            }
            for (int next = index + 1; next < steps.size() && made < maxAttempts; next++) {
                RouteTarget target = steps.get(next).target();
                CatalogModel m = catalog.find(target.model());
                ModelProvider p = m == null ? null : m.provider(target.provider());
                ObjectNode body = p == null ? null : p.provider().continuation(exchange.body(), partial);
                if (body == null) {
                    continue; // this provider cannot continue an answer
                }
                made++;
                return downstream.attempt(target, body).thenCompose(r -> FirstContentGate.open(r,
                        maxBytesBeforeContent));
            }
            return null;
        }

        private GatewayError exhausted(GatewayError last) {
            if (last == null) {
                return GatewayError.internal("Model '" + route.model() + "' has no provider to try");
            }
            if (made <= 1) {
                return last;
            }
            return new GatewayError(last.status(), last.type(), last.code(), "All " + made + " attempts for model '"
                    + route.model() + "' failed; the last said: " + last.message(), last.headers());
        }
    }
}
