package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.providers.ScannedBody;

/** OpenAI's inference API, one endpoint of it: requests and answers pass as they are. */
record OpenAiApi(ApiEndpoint endpoint) implements ClientApi {

    @Override
    public String name() {
        return endpoint.configName();
    }

    @Override
    public Request read(ServiceRequestContext ctx, HttpRequest req, byte[] body) {
        ScannedBody scanned = ScannedBody.scan(endpoint, body);
        if (scanned == null) {
            return request(RequestParser.parse(endpoint, body)); // also what says why a body is refused
        }
        OpenAiClientProtocol protocol = new OpenAiClientProtocol(endpoint, scanned.includesUsage());
        return new Request() {
            @Override
            public ObjectNode body() {
                throw new IllegalStateException("a scanned body is the exchange's to parse");
            }

            @Override
            public ScannedBody scanned() {
                return scanned;
            }

            @Override
            public ClientProtocol protocol() {
                return protocol;
            }
        };
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
