package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.FilterConfig;

/** One {@code [[filters]]} entry as the chain builder needs it. */
public record FilterDeclaration(FilterConfig config, boolean enabled, OnError onError) {}
