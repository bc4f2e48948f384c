package dev.budgateway.plugins.spi;

import java.util.Objects;

/** One candidate for serving a request: a provider of a model, as named in the config. */
public record RouteTarget(String model, String provider) {
    public RouteTarget {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(provider, "provider");
    }

    @Override
    public String toString() {
        return model + "/" + provider;
    }
}
