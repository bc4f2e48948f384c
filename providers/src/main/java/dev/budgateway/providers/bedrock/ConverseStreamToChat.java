package dev.budgateway.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.providers.http.JsonEventTranslator;
import dev.budgateway.providers.translate.ChunkBuilder;
import java.util.HashMap;
import java.util.Map;

/**
 * ConverseStream's events ({@code messageStart}, {@code contentBlockStart/Delta/Stop}, {@code messageStop},
 * {@code metadata}) as OpenAI chunks. The finish reason comes with {@code messageStop}; the usage follows it
 * in {@code metadata} and becomes the usage-only chunk.
 */
final class ConverseStreamToChat extends JsonEventTranslator {

    private final ChunkBuilder chunks;
    private final Map<Integer, Integer> toolIndexes = new HashMap<>();

    ConverseStreamToChat(String providerName, String model, String requestId) {
        super(providerName);
        this.chunks = new ChunkBuilder("chatcmpl-" + (requestId == null ? "bedrock" : requestId), model);
    }

    @Override
    protected void onEvent(String event, JsonNode data, Emitter out) {
        String type = event == null ? "" : event;
        if (type.startsWith("exception:")) {
            String exception = type.substring("exception:".length());
            out.fail(midStreamError(exception, exception.startsWith("throttling"), data.path("message").asText(
                    data.path("Message").asText(exception))));
            return;
        }
        switch (type) {
            case "messageStart" -> out.chunk(chunks.role());
            case "contentBlockStart" -> {
                JsonNode use = data.path("start").path("toolUse");
                if (use.isObject()) {
                    int index = toolIndexes.size();
                    toolIndexes.put(data.path("contentBlockIndex").asInt(), index);
                    out.chunk(chunks.toolCall(index, use.path("toolUseId").asText(), use.path("name").asText(), ""));
                }
            }
            case "contentBlockDelta" -> {
                JsonNode delta = data.path("delta");
                if (delta.has("text")) {
                    out.chunk(chunks.text(delta.get("text").asText()));
                } else if (delta.has("toolUse")) {
                    Integer index = toolIndexes.get(data.path("contentBlockIndex").asInt());
                    String piece = delta.path("toolUse").path("input").asText();
                    if (index != null && !piece.isEmpty()) {
                        out.chunk(chunks.toolArguments(index, piece));
                    }
                } else if (delta.path("reasoningContent").has("text")) {
                    out.chunk(chunks.reasoning(delta.path("reasoningContent").path("text").asText()));
                } else if (delta.path("reasoningContent").has("signature")) {
                    out.chunk(chunks.reasoningSignature(delta.path("reasoningContent").path("signature").asText()));
                }
            }
            case "messageStop" -> {
                out.chunk(chunks.finish(ConverseToChat.finishReason(data.path("stopReason").asText(null))));
                out.finished();
            }
            case "metadata" -> {
                if (data.has("usage")) {
                    out.chunk(chunks.usage(ConverseToChat.usage(data.get("usage"))));
                }
            }
            default -> {
                // contentBlockStop
            }
        }
    }
}
