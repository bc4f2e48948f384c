package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.Terminal;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.ModelProvider;
import dev.budgateway.providers.anthropic.TokenEstimate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/messages/count_tokens}, which Claude Code calls every turn to manage its context. The
 * filters before {@code routing} run (so authentication and blocking apply); then the model's first
 * provider that can count does ({@code anthropic}), and otherwise, or when it cannot answer, the count is
 * {@link TokenEstimate estimated}. Header {@code x-gateway-token-count} says which ({@code provider} or
 * {@code estimate}). The body the filters see is the Anthropic request as sent: it has no {@code max_tokens}
 * to make it a chat request of.
 */
final class AnthropicCountTokensApi implements ClientApi {

    private static final Logger logger = LoggerFactory.getLogger(AnthropicCountTokensApi.class);

    @Override
    public String name() {
        return "count_tokens";
    }

    @Override
    public ApiEndpoint endpoint() {
        return ApiEndpoint.COUNT_TOKENS;
    }

    @Override
    public Request read(ServiceRequestContext ctx, HttpRequest req, byte[] bytes) {
        ObjectNode body = RequestParser.parseObject(bytes);
        if (!body.path("model").isTextual() || !body.path("messages").isArray()) {
            throw new GatewayException(GatewayError.badRequest("invalid_request_body",
                    "model and messages are required"));
        }
        return ClientApi.request(body, errors());
    }

    @Override
    public ClientProtocol errors() {
        return new AnsweredByGateway(new AnthropicClientProtocol("", null));
    }

    /** The answer, once the filters before routing have let the request through. */
    static Terminal answer(ModelCatalog catalog) {
        return exchange -> count(catalog, exchange);
    }

    private static CompletionStage<Response> count(ModelCatalog catalog, Exchange exchange) {
        ObjectNode body = exchange.body();
        String beta = exchange.header("anthropic-beta");
        String resolved = exchange.get(Keys.RESOLVED_MODEL);
        CatalogModel model = catalog.find(resolved != null ? resolved : body.get("model").asText());
        if (model == null) {
            return CompletableFuture.failedFuture(GatewayError.notFound("model_not_found", "Model not found: "
                    + body.get("model").asText()).toException());
        }
        for (ModelProvider p : model.ordered()) {
            CompletionStage<Long> counted = p.provider().countTokens(body, beta, exchange.eventLoop());
            if (counted != null) {
                return counted.handle((tokens, failure) -> {
                    if (failure == null) {
                        return answer(tokens, "provider");
                    }
                    logger.debug("Provider '{}' could not count tokens, estimating: {}", p.target().provider(),
                            GatewayException.errorOf(failure).message());
                    return answer(TokenEstimate.inputTokens(body), "estimate");
                });
            }
        }
        return CompletableFuture.completedFuture(answer(TokenEstimate.inputTokens(body), "estimate"));
    }

    private static Response answer(long tokens, String source) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("input_tokens", tokens);
        Response r = Response.unary(200, Chunk.unary(out));
        r.head().header("x-gateway-token-count", source);
        return r;
    }
}
