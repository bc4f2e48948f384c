package dev.budgateway.plugins.spi;

import java.util.List;

/** The ordered candidates for a request, written by the {@code routing} filter. */
public record Route(String model, List<RouteTarget> targets) {
    public Route {
        targets = List.copyOf(targets);
    }
}
