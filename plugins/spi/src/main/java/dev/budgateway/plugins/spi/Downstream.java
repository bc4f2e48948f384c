package dev.budgateway.plugins.spi;

import java.util.concurrent.CompletionStage;

/** The rest of the chain after an {@link UpstreamDriver}: the filters after it, then the provider. */
public interface Downstream {

    /**
     * Runs one attempt against {@code target}: the remaining filters with an exchange derived from
     * the request's (reads fall through, writes stay with the attempt), then the provider call.
     * Completes with the response once its head is known, or fails with a {@link GatewayException}.
     */
    CompletionStage<Response> attempt(RouteTarget target);
}
