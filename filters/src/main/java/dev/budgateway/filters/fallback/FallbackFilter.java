package dev.budgateway.filters.fallback;

import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.Downstream;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.UpstreamDriver;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives the attempts: the route's candidates in order, each through the rest of the chain. A failure
 * that another provider could avoid (connection error, timeout, 429, 5xx) moves to the next candidate;
 * any other error (a 4xx: the request itself is wrong) goes to the client at once. A model's own
 * {@code timeouts} bound all its attempts together: {@code non_streaming.total_ms}, or for streams
 * {@code streaming.ttft_ms}, until a response starts. A stream counts as started at its first content:
 * one that fails before it is a failed attempt too (see {@link FirstContentGate}).
 */
final class FallbackFilter implements UpstreamDriver {

    private final int maxAttempts;
    private final ModelCatalog catalog;

    FallbackFilter(int maxAttempts, ModelCatalog catalog) {
        this.maxAttempts = maxAttempts;
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
        tryFrom(route, 0, downstream, out, null);
        return out;
    }

    private Long budgetMs(Route route, boolean stream) {
        CatalogModel model = catalog.find(route.model());
        Timeouts t = model == null ? Timeouts.NONE : model.timeouts();
        return stream ? t.streamingTtftMs() : t.nonStreamingTotalMs();
    }

    private void tryFrom(Route route, int index, Downstream downstream, CompletableFuture<Response> out,
            GatewayError last) {
        if (out.isDone()) {
            return;
        }
        if (index >= route.targets().size() || index >= maxAttempts) {
            out.completeExceptionally(new GatewayException(exhausted(route, index, last)));
            return;
        }
        downstream.attempt(route.targets().get(index))
                .thenCompose(response -> response.head().isStreaming() ? FirstContentGate.open(response)
                        : CompletableFuture.completedFuture(response))
                .whenComplete((response, failure) -> onAttempt(route, index, downstream, out, response, failure));
    }

    private void onAttempt(Route route, int index, Downstream downstream, CompletableFuture<Response> out,
            Response response, Throwable failure) {
        if (failure == null) {
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
        tryFrom(route, index + 1, downstream, out, error);
    }

    private static GatewayError exhausted(Route route, int tried, GatewayError last) {
        if (last == null) {
            return GatewayError.internal("Model '" + route.model() + "' has no provider to try");
        }
        if (tried <= 1) {
            return last;
        }
        return new GatewayError(last.status(), last.type(), last.code(), "All " + tried + " providers of model '"
                + route.model() + "' failed; the last said: " + last.message(), last.headers());
    }
}
