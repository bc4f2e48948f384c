package dev.budgateway.plugins.example;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code label}: what this filter adds to the trace. */
public record TraceConfig(@JsonProperty(required = true) String label) {}
