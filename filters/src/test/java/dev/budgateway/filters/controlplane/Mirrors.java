package dev.budgateway.filters.controlplane;

import dev.budgateway.plugins.spi.FilterMetrics;
import io.lettuce.core.RedisURI;
import java.util.List;

/** A replica's control-plane mirror of a test Redis, for filters built the way the gateway builds them. */
public final class Mirrors {

    private Mirrors() {}

    /** Not started yet, so that filters created with it watch before the first load; closed with {@code closing}. */
    public static RedisControlPlane of(RedisServer redis, List<AutoCloseable> closing) {
        RedisControlPlane m = new RedisControlPlane(new RedisSettings(RedisURI.create(redis.url()), true, 300_000,
                1_000), FilterMetrics.NONE);
        closing.add(m);
        return m;
    }

    /** Starts {@code mirror} and waits for its first load. */
    public static void start(RedisControlPlane mirror) throws InterruptedException {
        mirror.start();
        Eventually.within(5_000, mirror::loaded, "loaded");
    }
}
