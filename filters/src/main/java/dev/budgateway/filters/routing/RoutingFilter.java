package dev.budgateway.filters.routing;

import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.ModelProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link Keys#ROUTE}: the providers of the requested model in {@code routing} order. Unknown
 * models get 404; a model asked for an endpoint it does not serve gets 400.
 */
final class RoutingFilter implements Filter {

    private final ModelCatalog catalog;
    /** Routes of configured models are immutable, so they are built once. */
    private final Map<String, Route> configuredRoutes = new HashMap<>();

    RoutingFilter(ModelCatalog catalog) {
        this.catalog = catalog;
        for (CatalogModel m : catalog.configured()) {
            configuredRoutes.put(m.name(), routeOf(m));
        }
    }

    @Override
    public FilterResult onRequest(Exchange exchange) {
        String name = exchange.get(Keys.MODEL);
        if (name == null) {
            return FilterResult.reject(GatewayError.badRequest("missing_model", "Missing model name in request body"));
        }
        CatalogModel model;
        try {
            model = catalog.find(name);
        } catch (GatewayException e) {
            return FilterResult.reject(e.error());
        }
        if (model == null) {
            return FilterResult.reject(GatewayError.notFound("model_not_found", "Model not found: " + name));
        }
        if (!model.endpoints().contains(exchange.endpoint())) {
            return FilterResult.reject(GatewayError.badRequest("unsupported_endpoint", "Model '" + name
                    + "' does not support the '" + exchange.endpoint().configName() + "' endpoint"));
        }
        Route route = configuredRoutes.get(name);
        exchange.put(Keys.ROUTE, route != null ? route : routeOf(model));
        return FilterResult.CONTINUE;
    }

    private static Route routeOf(CatalogModel model) {
        List<RouteTarget> targets = new ArrayList<>(model.providers().size());
        for (ModelProvider p : model.providers()) {
            targets.add(p.target());
        }
        return new Route(model.name(), targets);
    }
}
