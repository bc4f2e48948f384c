package dev.budgateway.filters.fallback;

import dev.budgateway.plugins.spi.Downstream;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.UpstreamDriver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Drives the attempts: the route's candidates in order, each through the rest of the chain. A failure
 * that another provider could avoid (connection error, timeout, 429, 5xx) moves to the next candidate;
 * any other error (a 4xx: the request itself is wrong) goes to the client at once.
 */
final class FallbackFilter implements UpstreamDriver {

    private final int maxAttempts;

    FallbackFilter(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    @Override
    public CompletionStage<Response> drive(Exchange exchange, Downstream downstream) {
        Route route = exchange.get(Keys.ROUTE);
        CompletableFuture<Response> out = new CompletableFuture<>();
        tryFrom(route, 0, downstream, out, null);
        return out;
    }

    private void tryFrom(Route route, int index, Downstream downstream, CompletableFuture<Response> out,
            GatewayError last) {
        if (index >= route.targets().size() || index >= maxAttempts) {
            out.completeExceptionally(new GatewayException(exhausted(route, index, last)));
            return;
        }
        downstream.attempt(route.targets().get(index)).whenComplete((response, failure) -> {
            if (failure == null) {
                out.complete(response);
                return;
            }
            GatewayError error = GatewayException.unwrap(failure);
            if (error == null) {
                error = GatewayError.internal("Internal error");
            }
            if (!error.isRetryable()) {
                out.completeExceptionally(new GatewayException(error));
                return;
            }
            tryFrom(route, index + 1, downstream, out, error);
        });
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
