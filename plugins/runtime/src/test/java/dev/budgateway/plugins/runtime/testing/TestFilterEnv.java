package dev.budgateway.plugins.runtime.testing;

import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.ServiceKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A {@link FilterEnv} for unit tests: the services the test hands it, and a scheduler of its own. */
public final class TestFilterEnv implements FilterEnv, AutoCloseable {

    private final Map<ServiceKey<?>, Object> services = new HashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-filter-env");
        t.setDaemon(true);
        return t;
    });

    public <T> TestFilterEnv with(ServiceKey<T> key, T service) {
        services.put(key, service);
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
    public void close() {
        scheduler.shutdownNow();
    }
}
