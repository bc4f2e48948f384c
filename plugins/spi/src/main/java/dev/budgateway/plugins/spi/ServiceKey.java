package dev.budgateway.plugins.spi;

/** Names a shared service the host hands to filter factories, e.g. the model catalogue. */
public record ServiceKey<T>(String name, Class<T> type) {}
