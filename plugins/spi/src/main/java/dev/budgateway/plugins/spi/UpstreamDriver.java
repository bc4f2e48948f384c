package dev.budgateway.plugins.spi;

import java.util.concurrent.CompletionStage;

/**
 * A filter that takes over the rest of the chain and decides how often and against which candidate
 * to run it, like Envoy's router. At most one per chain; {@link #onRequest} runs first as for any
 * filter, then {@link #drive}.
 */
public interface UpstreamDriver extends Filter {

    @Override
    default FilterResult onRequest(Exchange exchange) {
        return FilterResult.CONTINUE;
    }

    /** Produces the response for the client, calling {@code downstream} once per attempt. */
    CompletionStage<Response> drive(Exchange exchange, Downstream downstream);
}
