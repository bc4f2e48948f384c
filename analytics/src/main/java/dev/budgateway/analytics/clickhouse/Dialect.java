package dev.budgateway.analytics.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import dev.budgateway.plugins.spi.Json;

/**
 * What the server's SQL can say. Servers since 22.2 get the Rust gateway's types ({@code DateTime64(3)},
 * {@code Map(String, String)}, {@code LowCardinality}, a {@code TTL}); older ones (Debian's 18.16) get the nearest:
 * {@code DateTime} (seconds), maps as JSON text, plain strings, and old partitions dropped by the writer.
 */
record Dialect(boolean modern) {

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    static Dialect of(double version) {
        return new Dialect(version >= 22.2);
    }

    String timestamp() {
        return modern ? "DateTime64(3, 'UTC')" : "DateTime('UTC')";
    }

    String map() {
        return modern ? "Map(String, String)" : "String";
    }

    String label() {
        return modern ? "LowCardinality(String)" : "String";
    }

    /** {@code TTL} for the table's rows, where the server has it; else empty (the writer drops old partitions). */
    String ttl(String column, int days) {
        return modern ? " TTL toDateTime(" + column + ") + INTERVAL " + days + " DAY" : "";
    }

    /**
     * The table settings that make a resent insert a no-op where the server can (since 22.2, for tables that are not
     * replicated): the server remembers the hashes of the last inserts' blocks and drops a block it has seen. A batch
     * is resent as it was (the same rows in the same order, from memory or from the spool), so it hashes the same.
     * Older servers rely on the rows' ids alone (one row per id once merged).
     */
    String dedupSettings() {
        return modern ? " SETTINGS non_replicated_deduplication_window = 10000" : "";
    }

    /** How rows are made, whatever the server: times with milliseconds, maps as objects. */
    static String time(Instant t) {
        return MILLIS.format(t);
    }
}
