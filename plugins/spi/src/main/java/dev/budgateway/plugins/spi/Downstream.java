package dev.budgateway.plugins.spi;

import java.util.concurrent.CompletionStage;

/** The rest of the chain after an {@link UpstreamDriver}: the filters after it, then the provider. */
public interface Downstream {

    /**
     * Runs one attempt against {@code target}: the remaining filters with an exchange derived from
     * the request's (reads fall through, writes stay with the attempt), then the provider call.
     * Completes with the response once its head is known, or fails with a {@link GatewayException}.
     */
    default CompletionStage<Response> attempt(RouteTarget target) {
        return attempt(target, null);
    }

    /**
     * An attempt with another request body, e.g. the partial answer added as assistant prefill to resume a
     * broken stream. The body is the attempt's own: reads of the request's body see it instead.
     *
     * @param body the body for this attempt, or {@code null} for the request's
     */
    CompletionStage<Response> attempt(RouteTarget target, com.fasterxml.jackson.databind.node.ObjectNode body);
}
