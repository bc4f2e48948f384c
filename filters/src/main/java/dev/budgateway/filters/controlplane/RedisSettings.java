package dev.budgateway.filters.controlplane;

import io.lettuce.core.RedisURI;

/**
 * {@code [redis]}: the one Redis connection of the gateway, from which the control-plane mirror reads.
 *
 * @param uri where Redis is ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, user and password,
 *     DB number from the path), or {@code null} when the gateway runs without Redis
 * @param configureNotifications whether the gateway may turn on the keyspace events it needs with
 *     {@code CONFIG SET notify-keyspace-events} (managed Redis often forbids CONFIG; then it re-scans instead)
 * @param rescanIntervalMs how often the whole mirror is read again as a safety net; notifications and the
 *     re-scan after a reconnect keep it current between two
 * @param connectTimeoutMs how long one connection attempt may take
 */
public record RedisSettings(RedisURI uri, boolean configureNotifications, long rescanIntervalMs,
        long connectTimeoutMs) {

    public static final RedisSettings NONE = new RedisSettings(null, true, 300_000, 2_000);

    public boolean enabled() {
        return uri != null;
    }

    /** Host, port and DB: what a log line may say of the URL (never its password). */
    public String where() {
        if (uri == null) {
            return "none";
        }
        if (!uri.getSentinels().isEmpty()) {
            return "sentinel " + uri.getSentinelMasterId() + " db " + uri.getDatabase();
        }
        return uri.getHost() + ":" + uri.getPort() + " db " + uri.getDatabase();
    }
}
