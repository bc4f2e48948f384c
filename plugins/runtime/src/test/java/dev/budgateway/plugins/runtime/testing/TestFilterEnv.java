package dev.budgateway.plugins.runtime.testing;

import dev.budgateway.plugins.spi.CompletionSink;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.ServiceKey;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link FilterEnv} for unit tests: the services the test hands it, a scheduler of its own, a clock the
 * test may set, the completion sinks a filter registered (for the test to feed), and what is to be closed
 * (closed by {@link #close()}, last first, as the gateway does at shutdown).
 */
public final class TestFilterEnv implements FilterEnv, AutoCloseable {

    private final Map<ServiceKey<?>, Object> services = new HashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-filter-env");
        t.setDaemon(true);
        return t;
    });
    private final List<CompletionSink> sinks = new ArrayList<>();
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private Clock clock = Clock.systemUTC();

    public <T> TestFilterEnv with(ServiceKey<T> key, T service) {
        services.put(key, service);
        return this;
    }

    public TestFilterEnv clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<T> service(ServiceKey<T> key) {
        return Optional.ofNullable((T) services.get(key));
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
        return FilterMetrics.NONE;
    }

    @Override
    public synchronized void onClose(AutoCloseable resource) {
        closing.push(resource);
    }

    @Override
    public synchronized void addCompletionSink(CompletionSink sink) {
        sinks.add(sink);
    }

    /** Tells the registered sinks that {@code finished} ended, as the host does. */
    public synchronized void finished(FinishedExchange finished) {
        sinks.forEach(s -> s.onFinished(finished));
    }

    @Override
    public synchronized void close() {
        while (!closing.isEmpty()) {
            try {
                closing.pop().close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        scheduler.shutdownNow();
    }
}
