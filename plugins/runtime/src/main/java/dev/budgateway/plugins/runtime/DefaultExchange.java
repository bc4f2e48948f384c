package dev.budgateway.plugins.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.ResponseListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * The exchange of one request. Confined to its event loop, so nothing here is synchronized. Given a way to
 * tell whether the current thread is that loop, it checks every read and write with an assertion, so a
 * filter that touches the exchange from a client library's thread fails loudly in tests ({@code -ea}) and
 * costs nothing in production.
 */
public class DefaultExchange implements Exchange {

    private final ApiEndpoint endpoint;
    private final String method;
    private final String path;
    private final RequestHeaders headers;
    private final ScheduledExecutorService eventLoop;
    private final long startNanos;
    private final LazyBody body;
    private Object[] slots;
    private List<ResponseListener> listeners;
    private AttemptLog attempts;
    private final CompletableFuture<Void> cancelled;
    /** Whether the current thread is the exchange's event loop. */
    private final BooleanSupplier onLoop;

    public DefaultExchange(ApiEndpoint endpoint, String method, String path, RequestHeaders headers, ObjectNode body,
            ScheduledExecutorService eventLoop, long startNanos) {
        this(endpoint, method, path, headers, body, eventLoop, () -> true, startNanos);
    }

    /** @param onLoop whether the current thread is {@code eventLoop} (Netty's {@code inEventLoop}) */
    public DefaultExchange(ApiEndpoint endpoint, String method, String path, RequestHeaders headers, ObjectNode body,
            ScheduledExecutorService eventLoop, BooleanSupplier onLoop, long startNanos) {
        this(endpoint, method, path, headers, LazyBody.of(body), eventLoop, onLoop, startNanos,
                new CompletableFuture<>());
    }

    /**
     * An exchange whose body is parsed only when someone asks for it.
     *
     * @param body the client's body, a JSON object the endpoint has checked
     */
    public DefaultExchange(ApiEndpoint endpoint, String method, String path, RequestHeaders headers, byte[] body,
            ScheduledExecutorService eventLoop, BooleanSupplier onLoop, long startNanos) {
        this(endpoint, method, path, headers, LazyBody.of(body), eventLoop, onLoop, startNanos,
                new CompletableFuture<>());
    }

    /** An exchange that shares {@code parent}'s cancellation (an attempt), with its own body if not {@code null}. */
    DefaultExchange(DefaultExchange parent, ObjectNode body) {
        this(parent.endpoint, parent.method, parent.path, parent.headers, body != null ? LazyBody.of(body)
                : parent.body, parent.eventLoop, parent.onLoop, parent.startNanos, parent.cancelled);
    }

    private DefaultExchange(ApiEndpoint endpoint, String method, String path, RequestHeaders headers, LazyBody body,
            ScheduledExecutorService eventLoop, BooleanSupplier onLoop, long startNanos,
            CompletableFuture<Void> cancelled) {
        this.onLoop = onLoop;
        this.endpoint = endpoint;
        this.method = method;
        this.path = path;
        this.headers = headers;
        this.body = body;
        this.eventLoop = eventLoop;
        this.startNanos = startNanos;
        this.slots = new Object[Key.count()];
        this.cancelled = cancelled;
    }

    @Override
    public <T> T get(Key<T> key) {
        assert onLoop.getAsBoolean() : offLoop(key);
        int i = key.index();
        return i < slots.length ? key.type().cast(slots[i]) : null;
    }

    @Override
    public <T> void put(Key<T> key, T value) {
        assert onLoop.getAsBoolean() : offLoop(key);
        int i = key.index();
        if (i >= slots.length) {
            slots = java.util.Arrays.copyOf(slots, Math.max(Key.count(), i + 1));
        }
        if (!key.isMutable() && slots[i] != null) {
            throw new IllegalStateException("key '" + key.name() + "' is already set and is not mutable");
        }
        slots[i] = value;
    }

    @Override
    public ApiEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public java.util.List<String> headers(String name) {
        return headers.all(name);
    }

    @Override
    public ObjectNode body() {
        return body.tree();
    }

    @Override
    public byte[] untouchedBody() {
        return body.untouched();
    }

    @Override
    public void addListener(ResponseListener listener) {
        assert onLoop.getAsBoolean() : offLoop(null);
        if (listeners == null) {
            listeners = new ArrayList<>(4);
        }
        listeners.add(listener);
    }

    /** A pipeline through this exchange's listeners into {@code sink}, checked to run on its loop. */
    public ResponsePipeline responsePipeline(ResponsePipeline.Sink sink) {
        return new ResponsePipeline(listeners(), sink, eventLoop, onLoop);
    }

    /** The listeners in registration (chain) order. */
    public List<ResponseListener> listeners() {
        return listeners == null ? List.of() : listeners;
    }

    @Override
    public CompletionStage<Void> whenCancelled() {
        return cancelled;
    }

    /** Called by the server when the client went away. */
    public void cancel() {
        cancelled.complete(null);
    }

    @Override
    public ScheduledExecutorService eventLoop() {
        return eventLoop;
    }

    private static String offLoop(Key<?> key) {
        return "the exchange was touched" + (key == null ? "" : " ('" + key.name() + "')") + " from thread '"
                + Thread.currentThread().getName() + "', not its event loop: continue asynchronous work with "
                + "FilterResult.await, which runs on the loop";
    }

    /** The request's upstream attempts; an attempt's exchange shares its request's. */
    public AttemptLog attemptLog() {
        if (attempts == null) {
            attempts = new AttemptLog(startNanos);
        }
        return attempts;
    }

    /** {@link System#nanoTime()} when the request arrived. */
    public long startNanos() {
        return startNanos;
    }
}
