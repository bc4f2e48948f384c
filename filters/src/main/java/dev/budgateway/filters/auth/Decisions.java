package dev.budgateway.filters.auth;

import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Keys;

/** The answers every source gives alike, with the Rust gateway's messages. */
final class Decisions {

    static final FilterResult MISSING = FilterResult.reject(GatewayError.unauthorized("Missing authorization header"));
    static final FilterResult INVALID = FilterResult.reject(GatewayError.unauthorized("Invalid API key"));

    private Decisions() {}

    /**
     * The model the request names, which a grant must cover; {@code null} when there is none to check: the
     * model list (filtered by grants later), or a request without a model (routing refuses it).
     */
    static String modelToCheck(Exchange exchange) {
        if (exchange.endpoint() == ApiEndpoint.MODELS) {
            return null;
        }
        return exchange.get(Keys.MODEL);
    }

    static FilterResult notGranted(String model) {
        return FilterResult.reject(GatewayError.notFound("model_not_found", "Model not found: " + model));
    }
}
