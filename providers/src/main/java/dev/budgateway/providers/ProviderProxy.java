package dev.budgateway.providers;

import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.Terminal;
import dev.budgateway.providers.anthropic.InboundMessages;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The end of every chain: calls the provider of the attempt's target (or of the route's first). */
public final class ProviderProxy implements Terminal {

    private final ModelCatalog catalog;

    public ProviderProxy(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public CompletionStage<Response> call(Exchange exchange) {
        RouteTarget target = exchange.get(Keys.ATTEMPT_TARGET);
        if (target == null) {
            Route route = exchange.get(Keys.ROUTE);
            if (route == null || route.targets().isEmpty()) {
                return failed(GatewayError.internal("No route for this request: the chain has no 'routing' filter"));
            }
            target = route.targets().get(0);
        }
        CatalogModel model = catalog.find(target.model());
        ModelProvider provider = model == null ? null : model.provider(target.provider());
        if (provider == null) {
            return failed(GatewayError.internal("No provider '" + target.provider() + "' for model '" + target.model()
                    + "'"));
        }
        ScannedBody scanned = exchange.get(ScannedBody.KEY);
        ScannedBody untouched = scanned != null && exchange.untouchedBody() == scanned.bytes() ? scanned : null;
        return provider.provider().send(new ProviderCall(exchange.endpoint(), exchange::body, untouched,
                Boolean.TRUE.equals(exchange.get(Keys.STREAM)), exchange.eventLoop(), provider.config().timeouts(),
                exchange.whenCancelled(), exchange.get(Keys.UPLOADED_FILES),
                InboundMessages.unchanged(exchange)));
    }

    private static CompletionStage<Response> failed(GatewayError error) {
        return CompletableFuture.failedFuture(new GatewayException(error));
    }
}
