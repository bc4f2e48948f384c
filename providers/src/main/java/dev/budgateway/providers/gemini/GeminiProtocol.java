package dev.budgateway.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.UpstreamErrors;
import dev.budgateway.providers.http.ChatProtocol;
import dev.budgateway.providers.http.StreamTranslator;
import dev.budgateway.providers.pool.UpstreamTarget;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Google AI Studio's Gemini API: {@code POST {api_base}/models/{model}:generateContent}, or
 * {@code :streamGenerateContent?alt=sse} for a stream, with the key in {@code x-goog-api-key}.
 */
final class GeminiProtocol extends ChatProtocol {

    private final String modelName;
    private final String unaryPath;
    private final String streamPath;
    private final String apiKey;

    GeminiProtocol(ProviderConfig config, String apiKey) {
        super(config, "gemini");
        this.modelName = config.modelName();
        String model = "/models/" + URLEncoder.encode(config.modelName(), StandardCharsets.UTF_8);
        this.unaryPath = model + ":generateContent";
        this.streamPath = model + ":streamGenerateContent?alt=sse";
        this.apiKey = apiKey;
    }

    @Override
    protected ObjectNode toUpstream(ProviderCall call) {
        return ChatToGemini.translate(call.body());
    }

    @Override
    protected RequestHeadersBuilder headers(ProviderCall call, UpstreamTarget target, byte[] payload) {
        return jsonPost(target.basePath() + (call.stream() ? streamPath : unaryPath), call, "x-goog-api-key", apiKey);
    }

    @Override
    protected ObjectNode toChat(JsonNode answer) {
        return GeminiToChat.translate(answer, modelName);
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
