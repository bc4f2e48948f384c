package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.spi.ApiEndpoint;

/** OpenAI's inference API, one endpoint of it: requests and answers pass as they are. */
record OpenAiApi(ApiEndpoint endpoint) implements ClientApi {

    @Override
    public String name() {
        return endpoint.configName();
    }

    @Override
    public Request read(ServiceRequestContext ctx, HttpRequest req, byte[] body) {
        return request(RequestParser.parse(endpoint, body));
    }

    /** A request already read (the text fields of a multipart upload). */
    Request request(ObjectNode body) {
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        return ClientApi.request(body, new OpenAiClientProtocol(endpoint, includeUsage));
    }

    @Override
    public ClientProtocol errors() {
        return new OpenAiClientProtocol(endpoint, false);
    }
}
