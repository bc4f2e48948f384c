package dev.budgateway.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.http.JsonEventTranslator;
import dev.budgateway.providers.translate.ChunkBuilder;

/**
 * Gemini's {@code streamGenerateContent?alt=sse} stream as OpenAI chunks. Each event is a partial
 * {@code GenerateContentResponse}: text parts are deltas, function calls arrive whole (one chunk carries
 * name and all arguments), and the last event has the finish reason and usage.
 */
final class GeminiStreamToChat extends JsonEventTranslator {

    private final String providerName;
    private final ChunkBuilder chunks;
    private boolean started;
    private int toolCalls;
    private JsonNode usage;

    GeminiStreamToChat(String providerName, String model) {
        super(providerName);
        this.providerName = providerName;
        this.chunks = new ChunkBuilder("chatcmpl-gemini", model);
    }

    @Override
    protected void onEvent(String event, JsonNode data, Emitter out) {
        if (data.has("error")) {
            out.fail(GeminiProtocol.errorOf(providerName, data.path("error").path("code").asInt(500), data, null));
            return;
        }
        if (!started) {
            started = true;
            if (data.hasNonNull("responseId")) {
                chunks.id("chatcmpl-" + data.get("responseId").asText());
            }
            if (data.hasNonNull("modelVersion")) {
                chunks.model(data.get("modelVersion").asText());
            }
            out.chunk(chunks.role());
        }
        if (data.has("usageMetadata")) {
            usage = data.get("usageMetadata");
        }
        String finish = null;
        JsonNode candidate = data.path("candidates").path(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (part.has("functionCall")) {
                JsonNode call = part.get("functionCall");
                out.chunk(chunks.toolCall(toolCalls, GeminiToChat.toolCallId(call, toolCalls), call.path("name")
                        .asText(), Json.string(call.path("args").isObject() ? call.get("args")
                                : JsonNodeFactory.instance.objectNode())));
                toolCalls++;
            } else if (part.path("thought").asBoolean(false)) {
                out.chunk(chunks.reasoning(part.path("text").asText()));
            } else if (part.has("text") && !part.path("text").asText().isEmpty()) {
                out.chunk(chunks.text(part.path("text").asText()));
            }
        }
        if (candidate.hasNonNull("finishReason")) {
            finish = GeminiToChat.finishReason(candidate.get("finishReason").asText(), toolCalls > 0);
        } else if (data.path("promptFeedback").hasNonNull("blockReason")) {
            finish = "content_filter";
        }
        if (finish != null) {
            out.chunk(chunks.finish(finish));
            if (usage != null) {
                out.chunk(chunks.usage(GeminiToChat.usage(usage)));
            }
            out.finished();
        }
    }
}
