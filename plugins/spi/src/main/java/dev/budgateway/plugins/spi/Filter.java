package dev.budgateway.plugins.spi;

/**
 * One step of the chain. Created once per chain by its {@link FilterFactory} and shared by all
 * requests, so it must be thread-safe; per-request state belongs in {@link Exchange} keys.
 */
@FunctionalInterface
public interface Filter {

    /**
     * Called once per request (or once per attempt, for filters placed after the {@code fallback}
     * filter). Must not block: return {@link FilterResult#pending} for I/O.
     */
    FilterResult onRequest(Exchange exchange);

    /**
     * Releases what the filter holds (flushes a buffer, closes a connection). Called once when the gateway
     * stops, after the requests in flight have drained, in reverse chain order.
     */
    default void close() {}
}
