package dev.budgateway.plugins.spi;

import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * What a filter decided about a request. Control is a returned value: a filter never calls "next".
 *
 * <p>Asynchronous work (a Redis lookup, a call to a guardrail service) is returned as {@link #await}: the
 * stage may complete on any thread (a client library's), and the runner applies the continuation on the
 * exchange's event loop, where the exchange may be read and written. The runner also bounds the wait by
 * the filter's {@code timeout_ms} and gives up on it when the client goes away (cancelling the stage).
 */
public sealed interface FilterResult permits FilterResult.Continue, FilterResult.Reject, FilterResult.Respond,
        FilterResult.Pending, FilterResult.Await {

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

    /**
     * Decide when {@code stage} completes: {@code then} gets the exchange and the stage's value, on the
     * exchange's event loop, and returns the decision. A failed stage, or one that does not complete within
     * the filter's {@code timeout_ms}, is the filter failing (its {@code on_error} decides).
     *
     * <pre>{@code
     * return FilterResult.await(redis.get(key), (ex, value) -> {
     *     ex.put(IDENTITY, parse(value));   // on the event loop: safe
     *     return FilterResult.CONTINUE;
     * });
     * }</pre>
     */
    static <T> FilterResult await(CompletionStage<T> stage, BiFunction<Exchange, T, FilterResult> then) {
        return new Await<>(stage, then);
    }

    /**
     * Decide later, when {@code stage} completes; a failed stage is the filter failing. The stage's own
     * callbacks run on whatever thread completes it, where the exchange must not be touched: prefer
     * {@link #await}, which runs the continuation on the event loop.
     */
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

    record Await<T>(CompletionStage<T> stage, BiFunction<Exchange, T, FilterResult> then) implements FilterResult {}
}
