package dev.budgateway.config;

/** One of a provider's {@code endpoints = [{ url, weight }]}: a replica of the same server. */
public record UpstreamEndpointConfig(String url, int weight) {}
