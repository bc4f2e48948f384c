package dev.budgateway.providers.gemini;

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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Google AI Studio's Gemini API: {@code POST {api_base}/models/{model}:generateContent}, or
 * {@code :streamGenerateContent?alt=sse} for a stream, with the key in {@code x-goog-api-key}.
 */
final class GeminiProtocol implements UpstreamProtocol {

    private final String name;
    private final String modelName;
    private final String unaryPath;
    private final String streamPath;
    private final String apiKey;
    private final ProviderConfig config;

    GeminiProtocol(ProviderConfig config, String basePath, String apiKey) {
        this.name = config.name();
        this.modelName = config.modelName();
        String model = basePath + "/models/" + URLEncoder.encode(config.modelName(), StandardCharsets.UTF_8);
        this.unaryPath = model + ":generateContent";
        this.streamPath = model + ":streamGenerateContent?alt=sse";
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
                    + "' (gemini) serves chat completions only"));
        }
        ObjectNode body = ChatToGemini.translate(call.body());
        if (config.extraBody() != null) {
            body = RequestBodies.forUpstream(body, null, config.extraBody());
        }
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, call.stream() ? streamPath : unaryPath)
                .contentType(MediaType.JSON_UTF_8);
        if (apiKey != null) {
            headers.add("x-goog-api-key", apiKey);
        }
        if (call.stream()) {
            headers.add(HttpHeaderNames.ACCEPT, "text/event-stream");
        }
        config.extraHeaders().forEach(headers::set);
        return HttpRequest.of(headers.build(), HttpData.wrap(Json.bytes(body)));
    }

    @Override
    public Response unary(ProviderCall call, int status, String contentType, byte[] body) {
        try {
            return Response.unary(status, Chunk.unary(GeminiToChat.translate(Json.parse(body), modelName)));
        } catch (IOException e) {
            throw new GatewayException(new GatewayError(502, "upstream_error", "upstream_invalid_response",
                    "Provider '" + name + "' sent a response that is not JSON"));
        }
    }

    @Override
    public StreamTranslator streamTranslator(ProviderCall call) {
        return new GeminiStreamToChat(name, modelName);
    }

    @Override
    public GatewayError error(int status, byte[] body, String retryAfter) {
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (IOException e) {
            json = null;
        }
        return json == null ? UpstreamErrors.fromStatus(name, status, body, retryAfter, apiKey)
                : errorOf(name, status, json, retryAfter);
    }

    /** Google's {@code {"error":{"code","message","status"}}}: the status name ("INVALID_ARGUMENT") is the code. */
    static GatewayError errorOf(String provider, int status, JsonNode json, String retryAfter) {
        GatewayError e = UpstreamErrors.fromStatus(provider, status, Json.bytes(json), retryAfter, null);
        String code = json.path("error").path("status").asText(null);
        return code == null || status >= 500 ? e : new GatewayError(e.status(), e.type(), code.toLowerCase(
                java.util.Locale.ROOT), e.message(), e.headers());
    }
}
