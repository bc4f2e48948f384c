package dev.budgateway.plugins.spi;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/** What the host gives a {@link FilterFactory} when it creates a filter. */
public interface FilterEnv {

    /** A shared service, if the host has it (e.g. {@code ModelCatalog.SERVICE}, a Redis connection). */
    <T> Optional<T> service(ServiceKey<T> key);

    /** For timers that are not tied to one exchange (refreshes, health checks). */
    ScheduledExecutorService scheduler();

    /** The time to read (expiries, windows): one clock for the gateway, and one a test can set. */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /** Where the filter records its metrics. */
    default FilterMetrics metrics() {
        return FilterMetrics.NONE;
    }

    /**
     * Closes {@code resource} when the gateway stops, after the requests in flight have drained and after
     * the filters themselves ({@link Filter#close}); resources close in the reverse order of registration.
     */
    default void onClose(AutoCloseable resource) {}

    /**
     * Reports a dependency's state in {@code /health} under {@code name} (e.g. {@code redis}); {@code state}
     * is read at each health request, so it must be cheap (a field, not a round trip). One name, one
     * reporter: filters that share a service share its report.
     */
    default void dependency(String name, java.util.function.Supplier<DependencyState> state) {}

    /** Tells {@code sink} of every exchange that ends, from now on. */
    default void addCompletionSink(CompletionSink sink) {}
}
