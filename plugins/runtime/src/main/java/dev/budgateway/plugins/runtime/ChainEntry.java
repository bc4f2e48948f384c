package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.Filter;

/** A filter in its place in the chain. */
public record ChainEntry(String name, String type, Filter filter, OnError onError) {}
