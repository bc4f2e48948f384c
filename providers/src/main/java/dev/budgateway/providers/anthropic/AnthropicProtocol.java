package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.RequestBodies;
import dev.budgateway.providers.UpstreamErrors;
import dev.budgateway.providers.http.StreamTranslator;
import dev.budgateway.providers.http.UpstreamProtocol;
import java.io.IOException;

/** Anthropic's Messages API ({@code POST {api_base}/messages}), translated to and from OpenAI's chat API. */
final class AnthropicProtocol implements UpstreamProtocol {

    static final String API_VERSION = "2023-06-01";

    private final String name;
    private final String modelName;
    private final String path;
    private final String apiKey;
    private final ProviderConfig config;

    AnthropicProtocol(ProviderConfig config, String basePath, String apiKey) {
        this.name = config.name();
        this.modelName = config.modelName();
        this.path = basePath + "/messages";
        this.apiKey = apiKey;
        this.config = config;
    }

    @Override
    public Mode mode(ProviderCall call) {
        return call.stream() ? Mode.EVENTS : Mode.UNARY;
    }

    @Override
    public HttpRequest request(ProviderCall call) {
        if (call.endpoint() != ApiEndpoint.CHAT) {
            throw new GatewayException(GatewayError.badRequest("unsupported_endpoint", "Provider '" + name
                    + "' (anthropic) serves chat completions only"));
        }
        ObjectNode body;
        if (call.anthropicBody() != null) {
            // The client spoke Anthropic's API to begin with: send its request as it was.
            body = RequestBodies.forUpstream(call.anthropicBody(), modelName, config.extraBody());
            if (call.stream()) {
                body.put("stream", true);
            } else {
                body.remove("stream");
            }
        } else {
            body = ChatToMessages.translate(call.body(), modelName);
            if (config.extraBody() != null) {
                body = RequestBodies.forUpstream(body, null, config.extraBody());
            }
        }
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, path)
                .contentType(MediaType.JSON_UTF_8)
                .add("anthropic-version", API_VERSION);
        if (apiKey != null) {
            headers.add("x-api-key", apiKey);
        }
        if (call.stream()) {
            headers.add(HttpHeaderNames.ACCEPT, "text/event-stream");
        }
        config.extraHeaders().forEach(headers::set);
        return HttpRequest.of(headers.build(), HttpData.wrap(Json.bytes(body)));
    }

    @Override
    public Response unary(ProviderCall call, int status, String contentType, byte[] body) {
        JsonNode message;
        try {
            message = Json.parse(body);
        } catch (IOException e) {
            throw new GatewayException(new GatewayError(502, "upstream_error", "upstream_invalid_response",
                    "Provider '" + name + "' sent a response that is not JSON"));
        }
        return Response.unary(status, Chunk.unary(MessageToChat.translate(message)));
    }

    @Override
    public StreamTranslator streamTranslator(ProviderCall call) {
        return new MessageStreamToChat(name);
    }

    @Override
    public GatewayError error(int status, byte[] body, String retryAfter) {
        // Anthropic's 529 "overloaded" is a 5xx like any other: 502, and another provider may be tried.
        return UpstreamErrors.fromStatus(name, status, body, retryAfter, apiKey);
    }
}
