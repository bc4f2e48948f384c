package dev.budgateway.plugins.spi;

import java.util.function.Supplier;

/**
 * Where a filter records its own metrics; the host exports them with its own (Prometheus at
 * {@code /metrics}). Names are dotted and start with the plugin's name ({@code redis.lookups}); tags come
 * in name-value pairs and, like the gateway's, must come from bounded sets (never keys, users or
 * addresses). Look meters up once, at creation, and keep them: recording is then allocation-free.
 */
public interface FilterMetrics {

    /** A count that only goes up. */
    Counter counter(String name, String description, String... tags);

    /** A distribution of durations. */
    Timer timer(String name, String description, String... tags);

    /** A value read when the metrics are scraped (a queue's length, a connection's state). */
    void gauge(String name, String description, Supplier<Number> value, String... tags);

    interface Counter {
        void increment(double amount);

        default void increment() {
            increment(1);
        }
    }

    interface Timer {
        void record(long nanos);
    }

    /** Records nothing: for tests and tools that have no registry. */
    FilterMetrics NONE = new FilterMetrics() {
        @Override
        public Counter counter(String name, String description, String... tags) {
            return amount -> {};
        }

        @Override
        public Timer timer(String name, String description, String... tags) {
            return nanos -> {};
        }

        @Override
        public void gauge(String name, String description, Supplier<Number> value, String... tags) {}
    };
}
