package dev.budgateway.filters.routing;

/** The {@code routing} filter takes no keys yet; binding this still rejects unknown ones. */
public record RoutingConfig() {}
