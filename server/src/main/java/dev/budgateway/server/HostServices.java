package dev.budgateway.server;

import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.analytics.tracing.RequestSpans;
import dev.budgateway.plugins.spi.CompletionSink;
import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.ServiceKey;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the host offers filters, and owns: shared services, the scheduler, the clock, the metrics registry,
 * the completion sinks every finished exchange goes to, and what must be closed at shutdown (in reverse
 * order of registration, after the filters).
 */
final class HostServices implements FilterEnv {

    private static final Logger logger = LoggerFactory.getLogger(HostServices.class);

    private final Map<ServiceKey<?>, Object> services = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final FilterMetrics metrics;
    private final List<CompletionSink> sinks = new CopyOnWriteArrayList<>();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final Map<String, Supplier<DependencyState>> dependencies = new ConcurrentSkipListMap<>();
    private volatile ObservabilitySettings observability = ObservabilitySettings.DEFAULT;
    private volatile RequestSpans spans;

    HostServices(ScheduledExecutorService scheduler, Clock clock, FilterMetrics metrics) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.metrics = metrics;
    }

    <T> HostServices register(ServiceKey<T> key, T service) {
        if (services.putIfAbsent(key, service) != null) {
            throw new IllegalStateException("service '" + key.name() + "' is registered twice");
        }
        return this;
    }

    @Override
    public <T> Optional<T> service(ServiceKey<T> key) {
        return Optional.ofNullable(key.type().cast(services.get(key)));
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public FilterMetrics metrics() {
        return metrics;
    }

    @Override
    public synchronized void onClose(AutoCloseable resource) {
        closing.push(resource);
    }

    @Override
    public void dependency(String name, Supplier<DependencyState> state) {
        dependencies.putIfAbsent(name, state);
    }

    /** Each reported dependency's state now, by name. */
    Map<String, DependencyState> dependencyStates() {
        Map<String, DependencyState> now = new java.util.LinkedHashMap<>(); // in name order, as reported
        dependencies.forEach((name, state) -> {
            DependencyState s;
            try {
                s = state.get();
            } catch (RuntimeException e) {
                s = DependencyState.DOWN;
            }
            now.put(name, s == null ? DependencyState.DOWN : s);
        });
        return now;
    }

    /** What requests record of themselves: prices, the cost header. */
    ObservabilitySettings observability() {
        return observability;
    }

    HostServices observability(ObservabilitySettings settings) {
        observability = settings;
        return this;
    }

    /** Where each finished request's spans are made, before the sinks hear of it (they may log its trace id). */
    HostServices spans(RequestSpans requestSpans) {
        spans = requestSpans;
        return this;
    }

    @Override
    public void addCompletionSink(CompletionSink sink) {
        sinks.add(sink);
    }

    /**
     * Makes the request's spans when traces are on, then tells every sink; a sink that fails does not keep the
     * others from hearing.
     *
     * @param header the request's headers, for the client's trace context
     */
    void finished(FinishedExchange exchange, java.util.function.Function<String, String> header) {
        FinishedExchange finished = exchange;
        RequestSpans s = spans;
        if (s != null) {
            try {
                finished = exchange.withTraceId(s.emit(exchange, header));
            } catch (RuntimeException e) {
                logger.warn("The spans of request {} could not be made", exchange.requestId(), e);
            }
        }
        for (CompletionSink sink : sinks) {
            try {
                sink.onFinished(finished);
            } catch (RuntimeException e) {
                logger.warn("Completion sink {} failed", sink.getClass().getName(), e);
            }
        }
    }

    /** Closes what was registered, last first. */
    synchronized void close() {
        while (!closing.isEmpty()) {
            AutoCloseable c = closing.pop();
            try {
                c.close();
            } catch (Exception e) {
                logger.warn("Closing {} failed", c.getClass().getName(), e);
            }
        }
    }
}
