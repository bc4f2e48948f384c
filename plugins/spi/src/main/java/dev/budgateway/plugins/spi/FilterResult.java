package dev.budgateway.plugins.spi;

import java.util.concurrent.CompletionStage;

/** What a filter decided about a request. Control is a returned value: a filter never calls "next". */
public sealed interface FilterResult permits FilterResult.Continue, FilterResult.Reject, FilterResult.Respond,
        FilterResult.Pending {

    /** Go on with the next filter. A shared constant, so a synchronous filter allocates nothing. */
    FilterResult CONTINUE = new Continue();

    /** Stop the chain and answer with this error. */
    static FilterResult reject(GatewayError error) {
        return new Reject(error);
    }

    /** Stop the chain and answer with this response (e.g. from a cache). */
    static FilterResult respond(Response response) {
        return new Respond(response);
    }

    /** Decide later, when {@code stage} completes; a failed stage is the filter failing. */
    static FilterResult pending(CompletionStage<FilterResult> stage) {
        return new Pending(stage);
    }

    final class Continue implements FilterResult {
        private Continue() {}

        @Override
        public String toString() {
            return "CONTINUE";
        }
    }

    record Reject(GatewayError error) implements FilterResult {}

    record Respond(Response response) implements FilterResult {}

    record Pending(CompletionStage<FilterResult> stage) implements FilterResult {}
}
