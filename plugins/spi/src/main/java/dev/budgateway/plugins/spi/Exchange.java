package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One request on its way through the chain. All methods are called on the exchange's event loop;
 * nothing here blocks or locks.
 */
public interface Exchange {

    /** The value of {@code key}, or {@code null}. */
    <T> T get(Key<T> key);

    /**
     * Sets {@code key}. A key that is not {@linkplain Key#isMutable() mutable} may be written once.
     *
     * @throws IllegalStateException when an immutable key is written twice
     */
    <T> void put(Key<T> key, T value);

    /** The operation the client called. */
    ApiEndpoint endpoint();

    /** The HTTP method, e.g. {@code POST}. */
    String method();

    /** The request path, e.g. {@code /v1/chat/completions}. */
    String path();

    /** The first value of a request header (name case-insensitive), or {@code null}. */
    String header(String name);

    /**
     * Every value of a request header, in order: a header sent on several lines (two proxies each adding an
     * {@code X-Forwarded-For}) has several.
     */
    default java.util.List<String> headers(String name) {
        String v = header(name);
        return v == null ? java.util.List.of() : java.util.List.of(v);
    }

    /**
     * The request body as JSON, parsed on the first call. Filters may change it in place; the change
     * reaches the provider.
     */
    ObjectNode body();

    /**
     * The body's bytes as the client sent them, while nobody has asked for {@link #body()} (and so nobody
     * can have changed it): the provider may then send these bytes instead of writing the tree again.
     * {@code null} once the body has been asked for, or when it did not come as one JSON text.
     */
    default byte[] untouchedBody() {
        return null;
    }

    /** Registers a listener for this exchange's response. */
    void addListener(ResponseListener listener);

    /**
     * Completes when the client has gone away before its response ended. Asynchronous work done for
     * this exchange (an upstream call, a lookup) should stop when it does.
     */
    CompletionStage<Void> whenCancelled();

    /** The event loop this exchange runs on: continue asynchronous work here. */
    ScheduledExecutorService eventLoop();
}
