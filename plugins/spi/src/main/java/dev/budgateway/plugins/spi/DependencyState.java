package dev.budgateway.plugins.spi;

/**
 * How a dependency a filter or service relies on (Redis, ClickHouse, a GeoIP file, a JWKS endpoint) is
 * doing, as {@code /health} reports it.
 */
public enum DependencyState {
    /** Answering. */
    OK,
    /** Answering badly (slow, errors), or away while the filter works from what it has (a cache). */
    DEGRADED,
    /** Away, and what needs it fails in its documented direction. */
    DOWN;

    /** The name {@code /health} shows. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
