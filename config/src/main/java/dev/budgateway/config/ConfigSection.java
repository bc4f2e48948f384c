package dev.budgateway.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;

/**
 * A top-level table of the config file that belongs to a module ({@code [redis]}, {@code [clickhouse]},
 * {@code [geoip]}, ...), read by that module: a new section lands with its feature, not as an edit of
 * {@link ConfigLoader}. Found with {@link java.util.ServiceLoader} on the config module's class loader (list
 * the class in {@code META-INF/services/dev.budgateway.config.ConfigSection}); read with
 * {@link GatewayConfig#section}.
 *
 * @param <T> the section's settings: an immutable record
 */
public interface ConfigSection<T> {

    /** The table's name, e.g. {@code redis}. */
    String name();

    /**
     * Reads the table, reporting every problem to {@code reader} with its key path (the reader collects
     * them; the file is refused once all sections have been read).
     *
     * @param table the table, or {@code null} when the file has none
     * @param env the environment, for settings that also come from variables ({@code TENSORZERO_REDIS_URL})
     * @return the settings; the defaults (often "off") when the table is absent
     */
    T read(ObjectNode table, ConfigReader reader, Function<String, String> env);
}
