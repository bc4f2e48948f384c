package dev.budgateway.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import java.util.function.Consumer;

/**
 * The protocol of an answer the gateway writes itself, already in the client's shape (a model list, a token
 * count): the body goes out as it is; errors are in the client API's words.
 */
final class AnsweredByGateway implements ClientProtocol {

    private final ClientProtocol api;

    AnsweredByGateway(ClientProtocol api) {
        this.api = api;
    }

    @Override
    public byte[] unary(byte[] body) {
        return body;
    }

    @Override
    public void event(Chunk chunk, Consumer<HttpData> out) {
        api.event(chunk, out);
    }

    @Override
    public void end(Consumer<HttpData> out) {
        api.end(out);
    }

    @Override
    public void error(GatewayError error, Consumer<HttpData> out) {
        api.error(error, out);
    }

    @Override
    public AggregatedHttpResponse errorResponse(GatewayError error, String requestId) {
        return api.errorResponse(error, requestId);
    }
}
