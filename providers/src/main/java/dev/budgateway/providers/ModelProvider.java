package dev.budgateway.providers;

import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.RouteTarget;

/** One provider of one model, ready to call. */
public record ModelProvider(RouteTarget target, ProviderConfig config, Provider provider) {}
