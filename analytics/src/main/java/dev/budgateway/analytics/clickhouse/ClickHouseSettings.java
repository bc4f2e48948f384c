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
 * @param spoolDir where rows wait on disk while ClickHouse is away; {@code null} for the default, a directory per
 *     server and database under the system's temporary directory
 * @param spoolMaxBytes how much the spool may hold
 * @param requestRows whether each request gets a {@code GatewayAnalytics} row ({@code [gateway.analytics]})
 * @param inferenceRows whether each upstream attempt gets a {@code ModelInference} row
 *     ({@code [gateway.observability]})
 */
public record ClickHouseSettings(URI endpoint, String user, String password, String database, int batchRows,
        long flushIntervalMs, int queueRows, int ttlDays, java.nio.file.Path spoolDir, long spoolMaxBytes,
        boolean requestRows, boolean inferenceRows) {

    public static final ClickHouseSettings NONE = new ClickHouseSettings(null, "default", "", "default", 500, 1_000,
            100_000, 90, null, 1L << 30, true, true);

    /** The spool's directory: the configured one, else one per server and database. */
    public java.nio.file.Path spool() {
        if (spoolDir != null) {
            return spoolDir;
        }
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "budgateway-spool",
                endpoint.getHost() + "-" + endpoint.getPort() + "-" + database);
    }

    public boolean enabled() {
        return endpoint != null && (requestRows || inferenceRows);
    }

    /** Never the password. */
    @Override
    public String toString() {
        return endpoint == null ? "off" : endpoint + "/" + database;
    }
}
