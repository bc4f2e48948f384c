package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.Terminal;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}}, as OpenAI lists models. The filters before
 * {@code routing} run first, so authentication and blocking apply; the chain sees an empty body, or
 * {@code {"model": name}} for one model.
 */
final class ModelsApi implements ClientApi {

    @Override
    public String name() {
        return "models";
    }

    @Override
    public ApiEndpoint endpoint() {
        return ApiEndpoint.MODELS;
    }

    @Override
    public Request read(ServiceRequestContext ctx, HttpRequest req, byte[] body) {
        ObjectNode asked = Json.MAPPER.createObjectNode();
        String one = ctx.pathParam("model");
        if (one != null) {
            asked.put("model", one);
        }
        return ClientApi.request(asked, errors());
    }

    @Override
    public ClientProtocol errors() {
        return new AnsweredByGateway(new OpenAiClientProtocol(ApiEndpoint.MODELS, false));
    }

    /** The list (or the one model) the filters let through to. */
    static Terminal answer(ModelCatalog catalog) {
        return exchange -> {
            String one = exchange.body().path("model").asText(null);
            if (one != null) {
                for (CatalogModel m : catalog.configured()) {
                    if (m.name().equals(one)) {
                        return CompletableFuture.completedFuture(Response.unary(200, Chunk.unary(model(one))));
                    }
                }
                return CompletableFuture.failedFuture(GatewayError.notFound("model_not_found", "Model not found: "
                        + one).toException());
            }
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("object", "list");
            ArrayNode data = root.putArray("data");
            for (CatalogModel m : catalog.configured()) {
                data.add(model(m.name()));
            }
            return CompletableFuture.completedFuture(Response.unary(200, Chunk.unary(root)));
        };
    }

    private static ObjectNode model(String name) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("id", name);
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "budgateway");
        return m;
    }
}
