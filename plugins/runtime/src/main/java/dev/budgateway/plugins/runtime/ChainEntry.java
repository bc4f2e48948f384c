package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;

/**
 * A filter in its place in the chain.
 *
 * @param timeoutMs how long the runner waits for the filter's asynchronous decision
 */
public record ChainEntry(String name, String type, Filter filter, OnError onError, long timeoutMs) {

    public ChainEntry(String name, String type, Filter filter, OnError onError) {
        this(name, type, filter, onError, FilterConfig.DEFAULT_TIMEOUT_MS);
    }
}
