package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.RequestBodies;
import dev.budgateway.providers.UpstreamErrors;
import dev.budgateway.providers.http.ChatProtocol;
import dev.budgateway.providers.http.StreamTranslator;
import dev.budgateway.providers.http.TokenCounting;
import dev.budgateway.providers.http.UpstreamRequests;
import dev.budgateway.providers.pool.UpstreamTarget;

/** Anthropic's Messages API ({@code POST {api_base}/messages}), translated to and from OpenAI's chat API. */
final class AnthropicProtocol extends ChatProtocol implements TokenCounting {

    static final String API_VERSION = "2023-06-01";

    private final String modelName;
    private final String apiKey;

    AnthropicProtocol(ProviderConfig config, String apiKey) {
        super(config, "anthropic");
        this.modelName = config.modelName();
        this.apiKey = apiKey;
    }

    @Override
    protected ObjectNode toUpstream(ProviderCall call) {
        if (call.anthropic() == null) {
            return ChatToMessages.translate(call.body(), modelName);
        }
        // The client spoke Anthropic's API to begin with: send its request as it was.
        ObjectNode body = RequestBodies.forUpstream(call.anthropic().original(), modelName, null);
        if (call.stream()) {
            body.put("stream", true);
        } else {
            body.remove("stream");
        }
        return body;
    }

    @Override
    protected RequestHeadersBuilder headers(ProviderCall call, UpstreamTarget target, byte[] payload) {
        RequestHeadersBuilder headers = jsonPost(target.basePath() + "/messages", call, "x-api-key", apiKey)
                .add("anthropic-version", API_VERSION);
        if (call.anthropic() != null && call.anthropic().beta() != null) {
            headers.add("anthropic-beta", call.anthropic().beta());
        }
        return headers;
    }

    @Override
    public HttpRequest countTokensRequest(ObjectNode messagesRequest, String beta, UpstreamTarget target) {
        ObjectNode body = RequestBodies.forUpstream(messagesRequest, modelName, null);
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, target.basePath()
                + "/messages/count_tokens").contentType(MediaType.JSON_UTF_8).add("anthropic-version", API_VERSION);
        if (apiKey != null) {
            headers.add("x-api-key", apiKey);
        }
        if (beta != null) {
            headers.add("anthropic-beta", beta);
        }
        config.extraHeaders().forEach(headers::set);
        return UpstreamRequests.of(headers, Json.bytes(body));
    }

    @Override
    protected ObjectNode toChat(JsonNode answer) {
        return MessageToChat.translate(answer);
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

    /** Prefill is native here: the model goes on from the assistant's last turn. */
    @Override
    public ObjectNode continuation(ObjectNode chatBody, String partial) {
        return dev.budgateway.providers.Continuations.withAssistantPrefill(chatBody, partial);
    }
}
