package dev.budgateway.filters.controlplane;

import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.ServiceKey;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory copy of what the control plane (budapp) writes into Redis, kept current: filters read it
 * on every request without a Redis round trip. Records are loaded with {@code SCAN} at start, followed by
 * keyspace notifications ({@code set}, {@code del}, {@code expired}, {@code evicted}), and read whole again
 * after every reconnect, so that nothing changed during an outage is missed.
 */
public interface ControlPlane extends AutoCloseable {

    ServiceKey<ControlPlane> SERVICE = new ServiceKey<>("control_plane", ControlPlane.class);

    /**
     * Tells {@code listener} of every record whose key matches {@code pattern}: a prefix ending in {@code *}
     * ({@code api_key:*}) or one exact key ({@code published_model_info}). Records already loaded are told
     * at once (on the mirror's thread).
     */
    void watch(String pattern, RecordListener listener);

    /** {@code ok}; {@code degraded} while working from the copy without Redis; {@code down} before a first load. */
    DependencyState state();

    /** Whether the first full load has completed (records exist as of some moment). */
    boolean loaded();

    /**
     * The Redis commands, for filters that also write (counters, statistics), or empty while not connected.
     * Calls fail fast while the connection is down; callers decide what that means.
     */
    default Optional<RedisAsyncCommands<String, String>> commands() {
        return Optional.empty();
    }

    /**
     * {@code reply}, failed with a {@link java.util.concurrent.TimeoutException} unless it completes within
     * {@code timeoutMs}: how a filter bounds its wait for Redis on the request path.
     */
    default <T> CompletableFuture<T> within(CompletionStage<T> reply, long timeoutMs) {
        return reply.toCompletableFuture().orTimeout(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    void close();
}
