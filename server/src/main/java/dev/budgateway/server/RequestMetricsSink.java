package dev.budgateway.server;

import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.analytics.RequestMetrics;
import dev.budgateway.plugins.spi.CompletionSink;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.RouteTarget;
import java.util.Set;

/**
 * The request metrics, fed by the completion sink like any other. Tag values stay bounded by the config:
 * configured model names as they are, shorthands ({@code openai::gpt-4o}) by provider type only.
 */
final class RequestMetricsSink implements CompletionSink {

    private final RequestMetrics metrics;
    private final Set<String> configuredModels;

    private final ObservabilitySettings observability;

    RequestMetricsSink(RequestMetrics metrics, Set<String> configuredModels, ObservabilitySettings observability) {
        this.metrics = metrics;
        this.configuredModels = configuredModels;
        this.observability = observability;
    }

    @Override
    public void onFinished(FinishedExchange finished) {
        String model = "none";
        String provider = "none";
        if (finished.exchange() != null) {
            Route route = finished.exchange().get(Keys.ROUTE);
            if (route == null) {
                model = "unknown";
            } else if (configuredModels.contains(route.model())) {
                model = route.model();
            } else if (!route.targets().isEmpty()) {
                model = route.targets().get(0).provider() + "::*";
            }
            RouteTarget servedBy = finished.exchange().get(Keys.SERVED_BY);
            if (servedBy != null) {
                provider = servedBy.provider();
            }
        }
        metrics.record(finished.api(), model, provider, finished.stream(), finished.completion(),
                observability.costOf(finished), finished.gatewayNanos());
    }
}
