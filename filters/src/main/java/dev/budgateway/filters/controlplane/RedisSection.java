package dev.budgateway.filters.controlplane;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.ConfigReader;
import dev.budgateway.config.ConfigSection;
import io.lettuce.core.RedisURI;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code [redis]}; the URL may also come from {@code TENSORZERO_REDIS_URL}, as for the Rust gateway (the
 * table wins when both are set).
 */
public final class RedisSection implements ConfigSection<RedisSettings> {

    public static final RedisSection INSTANCE = new RedisSection();
    public static final String URL_VARIABLE = "TENSORZERO_REDIS_URL";
    private static final Set<String> KEYS = Set.of("url", "configure_notifications", "rescan_interval_s",
            "connect_timeout_ms");

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public RedisSettings read(ObjectNode table, ConfigReader r, Function<String, String> env) {
        String url = null;
        boolean configure = RedisSettings.NONE.configureNotifications();
        long rescanMs = RedisSettings.NONE.rescanIntervalMs();
        long connectMs = RedisSettings.NONE.connectTimeoutMs();
        String path = "redis";
        if (table != null) {
            r.onlyKeys(table, path, KEYS);
            url = r.string(table, "url", path, false);
            Boolean b = r.bool(table, "configure_notifications", path);
            configure = b == null ? configure : b;
            Long rescan = r.longInRange(table, "rescan_interval_s", path, 1, 86_400);
            rescanMs = rescan == null ? rescanMs : rescan * 1000;
            Long connect = r.longInRange(table, "connect_timeout_ms", path, 1, 60_000);
            connectMs = connect == null ? connectMs : connect;
        }
        if (url == null) {
            url = env.apply(URL_VARIABLE);
            path = URL_VARIABLE;
        } else {
            path = "redis.url";
        }
        if (url == null || url.isBlank()) {
            return new RedisSettings(null, configure, rescanMs, connectMs);
        }
        if (url.startsWith("redis+cluster://") || url.startsWith("redis-cluster://")) {
            r.problem(path, "Redis Cluster is not supported yet: point the gateway at one primary (redis://) or at "
                    + "Sentinel (redis-sentinel://)");
            return new RedisSettings(null, configure, rescanMs, connectMs);
        }
        try {
            RedisURI uri = RedisURI.create(url.strip());
            return new RedisSettings(uri, configure, rescanMs, connectMs);
        } catch (RuntimeException e) {
            // The URL may hold a password: the message names the forms, never the value.
            r.problem(path, "not a Redis URL (expected redis://[user:password@]host[:port][/db], rediss://... or "
                    + "redis-sentinel://host[:port][,host2[:port2]][/db]#master)");
            return new RedisSettings(null, configure, rescanMs, connectMs);
        }
    }
}
