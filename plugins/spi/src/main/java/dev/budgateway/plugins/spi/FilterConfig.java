package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One {@code [[filters]]} entry: its identity and its filter-specific keys. */
public interface FilterConfig {

    /** Long enough for a guardrail service's answer, short enough that a hung lookup is noticed. */
    long DEFAULT_TIMEOUT_MS = 10_000;

    /** The {@code type} the entry names. */
    String type();

    /** The entry's {@code name}, or its type when it has none. Unique in a chain. */
    String name();

    /** The key path of this entry, e.g. {@code filters[2]}, for error messages. */
    String path();

    /**
     * The filter-specific keys (without {@code type}, {@code name}, {@code enabled}, {@code on_error},
     * {@code timeout_ms}).
     */
    ObjectNode settings();

    /**
     * {@code timeout_ms}: how long the filter may take to decide a request asynchronously
     * ({@link FilterResult#await}); then its {@code on_error} decides (reject: 504, skip: go on).
     */
    default long timeoutMs() {
        return DEFAULT_TIMEOUT_MS;
    }

    /**
     * Binds the filter-specific keys to {@code type} (a record, usually) strictly: an unknown key, a
     * missing required key or a wrong type is a {@link ConfigException} naming the key path.
     */
    <T> T bind(Class<T> type) throws ConfigException;
}
