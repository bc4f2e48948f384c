package dev.budgateway.analytics.clickhouse;

import java.net.URI;

/**
 * Where analytics go: {@code [clickhouse]}, or {@code TENSORZERO_CLICKHOUSE_URL} as for the Rust gateway.
 *
 * @param endpoint the server's HTTP address without credentials or database ({@code http://host:8123}); {@code null}
 *     when analytics are off
 * @param user the user from the URL ({@code default} when it names none)
 * @param password the password from the URL, or empty
 * @param database the database (the URL's path), created when missing
 * @param batchRows the most rows one insert carries
 * @param flushIntervalMs how long a row may wait for its batch to fill
 * @param queueRows how many rows may wait in memory for their insert
 * @param ttlDays how long rows are kept
 */
public record ClickHouseSettings(URI endpoint, String user, String password, String database, int batchRows,
        long flushIntervalMs, int queueRows, int ttlDays) {

    public static final ClickHouseSettings NONE = new ClickHouseSettings(null, "default", "", "default", 500, 1_000,
            100_000, 90);

    public boolean enabled() {
        return endpoint != null;
    }

    /** Never the password. */
    @Override
    public String toString() {
        return endpoint == null ? "off" : endpoint + "/" + database;
    }
}
