package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.GatewayException;

/**
 * An API the gateway speaks to its clients (OpenAI's, Anthropic's Messages API, the gateway's own model
 * list and token count; TensorZero's native API next): how a request in it becomes the chain's form, and
 * how the answer goes back in its shape. The chain and the providers never see which one it was.
 */
interface ClientApi {

    /** The name the request is counted under ({@code chat}, {@code messages}, {@code models}, ...). */
    String name();

    ApiEndpoint endpoint();

    /**
     * Reads one request.
     *
     * @param body the request body, empty for a {@code GET}
     * @throws GatewayException a 400 in this API's words when it is not a valid request
     */
    Request read(ServiceRequestContext ctx, HttpRequest req, byte[] body);

    /** How to answer a request that could not be read. */
    ClientProtocol errors();

    /** One request, read. */
    interface Request {

        /** The body the chain sees (OpenAI-shaped); not asked for when {@link #scanned()} has it. */
        ObjectNode body();

        /** The body read without a tree, to be parsed only if a filter asks; {@code null} when it was parsed. */
        default dev.budgateway.providers.ScannedBody scanned() {
            return null;
        }

        /** Sets what this API adds to the exchange (the client's original Anthropic request, ...). */
        default void prepare(DefaultExchange exchange) {}

        /** How the answer is written back; one per response. */
        ClientProtocol protocol();
    }

    /** A request the chain takes as it is, answered in {@code protocol}. */
    static Request request(ObjectNode body, ClientProtocol protocol) {
        return new Request() {
            @Override
            public ObjectNode body() {
                return body;
            }

            @Override
            public ClientProtocol protocol() {
                return protocol;
            }
        };
    }
}
