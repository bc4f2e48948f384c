package dev.budgateway.analytics;

import dev.budgateway.plugins.spi.FilterMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Filters' metrics in the gateway's registry, under {@code budgateway.}: {@code budgateway_<name>} in Prometheus. */
public final class MicrometerFilterMetrics implements FilterMetrics {

    private static final String PREFIX = "budgateway.";

    private final MeterRegistry registry;

    public MicrometerFilterMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Counter counter(String name, String description, String... tags) {
        io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder(PREFIX + name)
                .description(description).tags(tags).register(registry);
        return c::increment;
    }

    @Override
    public Timer timer(String name, String description, String... tags) {
        io.micrometer.core.instrument.Timer t = io.micrometer.core.instrument.Timer.builder(PREFIX + name)
                .description(description).tags(tags).register(registry);
        return nanos -> t.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Gauge.builder(PREFIX + name, value).description(description).tags(tags).register(registry);
    }
}
