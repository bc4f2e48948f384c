package dev.budgateway.providers.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.budgateway.providers.pool.UpstreamTarget;
import java.io.IOException;

/**
 * A protocol that serves chat completions by translation (Anthropic, Gemini, Bedrock): the chat request is
 * translated into the provider's body, {@code extra_body} applied to that, and the provider's answer
 * translated back. Subclasses say how.
 */
public abstract class ChatProtocol implements UpstreamProtocol {

    protected final String name;
    protected final ProviderConfig config;
    private final String typeName;

    protected ChatProtocol(ProviderConfig config, String typeName) {
        this.name = config.name();
        this.config = config;
        this.typeName = typeName;
    }

    /** The provider's request body for the call. */
    protected abstract ObjectNode toUpstream(ProviderCall call);

    /** The request headers (path, authentication) for the body about to be sent to {@code target}. */
    protected abstract RequestHeadersBuilder headers(ProviderCall call, UpstreamTarget target, byte[] payload);

    /** The provider's unary answer as an OpenAI chat completion. */
    protected abstract ObjectNode toChat(JsonNode answer);

    /**
     * A JSON {@code POST} to {@code path}, with the key in {@code keyHeader} (when there is a key) and an
     * SSE {@code accept} header for a stream.
     */
    protected static RequestHeadersBuilder jsonPost(String path, ProviderCall call, String keyHeader, String key) {
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, path).contentType(MediaType.JSON_UTF_8);
        if (key != null) {
            headers.add(keyHeader, key);
        }
        if (call.stream()) {
            headers.add(HttpHeaderNames.ACCEPT, "text/event-stream");
        }
        return headers;
    }

    @Override
    public Mode mode(ProviderCall call) {
        return call.stream() ? Mode.EVENTS : Mode.UNARY;
    }

    @Override
    public final HttpRequest request(ProviderCall call, UpstreamTarget target) {
        if (call.endpoint() != ApiEndpoint.CHAT) {
            throw new GatewayException(GatewayError.badRequest("unsupported_endpoint", "Provider '" + name
                    + "' (" + typeName + ") serves chat completions only"));
        }
        ObjectNode body = toUpstream(call);
        if (config.extraBody() != null) {
            body = RequestBodies.forUpstream(body, null, config.extraBody());
        }
        byte[] payload = Json.bytes(body);
        RequestHeadersBuilder headers = headers(call, target, payload);
        config.extraHeaders().forEach(headers::set);
        return UpstreamRequests.of(headers, payload);
    }

    @Override
    public final Response unary(ProviderCall call, int status, String contentType, byte[] body) {
        JsonNode answer;
        try {
            answer = Json.parse(body);
        } catch (IOException e) {
            throw new GatewayException(new GatewayError(502, "upstream_error", "upstream_invalid_response",
                    "Provider '" + name + "' sent a response that is not JSON"));
        }
        return Response.unary(status, Chunk.unary(toChat(answer)));
    }
}
