package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.ModelProvider;
import dev.budgateway.providers.anthropic.TokenEstimate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/messages/count_tokens}, which Claude Code calls every turn to manage its context: the
 * model's first Anthropic provider counts; for other providers, or when it cannot answer, the count is
 * {@link TokenEstimate estimated}. Header {@code x-gateway-token-count} says which ({@code provider} or
 * {@code estimate}). It calls no model, so it does not run the filter chain.
 */
final class CountTokensService implements HttpService {

    private static final Logger logger = LoggerFactory.getLogger(CountTokensService.class);

    private final ModelCatalog catalog;
    private final long bodyTimeoutMs;

    CountTokensService(ModelCatalog catalog, long bodyTimeoutMs) {
        this.catalog = catalog;
        this.bodyTimeoutMs = bodyTimeoutMs;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        String beta = req.headers().get("anthropic-beta");
        RequestBodyTimeout.start(ctx, bodyTimeoutMs);
        return HttpResponse.of(req.aggregate().thenCompose(agg -> {
            RequestBodyTimeout.stop(ctx);
            ObjectNode body;
            CatalogModel model;
            try {
                body = RequestParser.parseObject(agg.content().array());
                if (!body.path("model").isTextual() || !body.path("messages").isArray()) {
                    throw new GatewayException(GatewayError.badRequest("invalid_request_body",
                            "model and messages are required"));
                }
                model = catalog.find(body.get("model").asText());
                if (model == null) {
                    throw new GatewayException(GatewayError.notFound("model_not_found", "Model not found: "
                            + body.get("model").asText()));
                }
            } catch (GatewayException e) {
                return CompletableFuture.completedFuture(error(e.error(), ctx));
            }
            for (ModelProvider p : model.ordered()) {
                CompletionStage<Long> counted = p.provider().countTokens(body, beta, ctx.eventLoop().withoutContext());
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
        }).exceptionally(failure -> error(ErrorResponses.forUnreadableBody(failure, false), ctx)));
    }

    private static HttpResponse answer(long tokens, String source) {
        ObjectNode out = Json.MAPPER.createObjectNode().put("input_tokens", tokens);
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(MediaType.JSON_UTF_8)
                .set("x-gateway-token-count", source).build(), HttpData.wrap(Json.bytes(out)));
    }

    private static HttpResponse error(GatewayError error, ServiceRequestContext ctx) {
        return new AnthropicClientProtocol("", null).errorResponse(error, ctx.id().text()).toHttpResponse();
    }
}
