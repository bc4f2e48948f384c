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
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.ModelGrants;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}}, as OpenAI lists models. The filters before
 * {@code routing} run first, so authentication and blocking apply; the chain sees an empty body, or
 * {@code {"model": name}} for one model. A caller whose credential grants some models (auth) sees those, by the
 * names it calls them; otherwise the models of the file are listed.
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
            ModelGrants grants = exchange.get(Keys.MODEL_GRANTS);
            if (grants != null && !grants.all()) {
                // The caller's own names (a control-plane key's user-facing aliases among them).
                if (one != null) {
                    return grants.allows(one) ? CompletableFuture.completedFuture(Response.unary(200,
                            Chunk.unary(model(one)))) : CompletableFuture.failedFuture(GatewayError.notFound(
                                    "model_not_found", "Model not found: " + one).toException());
                }
                return CompletableFuture.completedFuture(Response.unary(200, Chunk.unary(list(
                        new java.util.TreeSet<>(grants.names())))));
            }
            if (one != null) {
                for (CatalogModel m : catalog.configured()) {
                    if (m.name().equals(one)) {
                        return CompletableFuture.completedFuture(Response.unary(200, Chunk.unary(model(one))));
                    }
                }
                return CompletableFuture.failedFuture(GatewayError.notFound("model_not_found", "Model not found: "
                        + one).toException());
            }
            List<String> names = new ArrayList<>();
            catalog.configured().forEach(m -> names.add(m.name()));
            return CompletableFuture.completedFuture(Response.unary(200, Chunk.unary(list(names))));
        };
    }

    private static ObjectNode list(Iterable<String> names) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        names.forEach(n -> data.add(model(n)));
        return root;
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
