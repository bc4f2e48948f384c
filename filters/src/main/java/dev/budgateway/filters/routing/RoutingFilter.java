package dev.budgateway.filters.routing;

import dev.budgateway.config.LoadBalancing;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@link Keys#ROUTE}: the providers of the requested model (the balancer's pick first, then
 * {@code routing} order), followed by those of its {@code fallback_models}, recursively. The model is
 * {@link Keys#RESOLVED_MODEL} when an earlier filter resolved an alias, else {@link Keys#MODEL}. Unknown models get
 * 404; a model asked for an endpoint it does not serve gets 400.
 */
final class RoutingFilter implements Filter {

    private final ModelCatalog catalog;
    /** Routes that are the same for every request (nothing balanced on the way) are built once. */
    private final Map<String, Route> fixedRoutes = new HashMap<>();

    RoutingFilter(ModelCatalog catalog) {
        this.catalog = catalog;
        for (CatalogModel m : catalog.configured()) {
            if (isFixed(m, new HashSet<>())) {
                fixedRoutes.put(m.name(), routeOf(m));
            }
        }
    }

    private boolean isFixed(CatalogModel m, Set<String> seen) {
        if (!seen.add(m.name())) {
            return true;
        }
        if (m.balancer().strategy() != LoadBalancing.ORDERED && m.providers().size() > 1) {
            return false;
        }
        for (String f : m.fallbackModels()) {
            CatalogModel fallback = catalog.find(f);
            if (fallback != null && !isFixed(fallback, seen)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public FilterResult onRequest(Exchange exchange) {
        String asked = exchange.get(Keys.MODEL);
        if (asked == null) {
            return FilterResult.reject(GatewayError.badRequest("missing_model", "Missing model name in request body"));
        }
        String resolved = exchange.get(Keys.RESOLVED_MODEL);
        String name = resolved != null ? resolved : asked;
        CatalogModel model;
        try {
            model = catalog.find(name);
        } catch (GatewayException e) {
            return FilterResult.reject(e.error());
        }
        if (model == null) {
            return FilterResult.reject(GatewayError.notFound("model_not_found", "Model not found: " + asked));
        }
        if (!model.endpoints().contains(exchange.endpoint())) {
            return FilterResult.reject(GatewayError.badRequest("unsupported_endpoint", "Model '" + asked
                    + "' does not support the '" + exchange.endpoint().configName() + "' endpoint"));
        }
        Route route = fixedRoutes.get(name);
        exchange.put(Keys.ROUTE, route != null ? route : routeOf(model));
        return FilterResult.CONTINUE;
    }

    private Route routeOf(CatalogModel model) {
        List<RouteTarget> targets = new ArrayList<>(model.providers().size());
        addTargets(model, targets, new HashSet<>());
        return new Route(model.name(), targets);
    }

    /** The model's providers, then its fallback models' (each model once: the config has no cycles). */
    private void addTargets(CatalogModel model, List<RouteTarget> targets, Set<String> seen) {
        if (!seen.add(model.name())) {
            return;
        }
        for (ModelProvider p : model.ordered()) {
            targets.add(p.target());
        }
        for (String f : model.fallbackModels()) {
            CatalogModel fallback = catalog.find(f);
            if (fallback != null) {
                addTargets(fallback, targets, seen);
            }
        }
    }
}
