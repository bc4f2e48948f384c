package dev.budgateway.plugins.example;

/** The {@code example-uppercase} filter takes no keys. */
public record UppercaseConfig() {}
