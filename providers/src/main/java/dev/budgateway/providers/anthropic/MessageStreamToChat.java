package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.providers.http.JsonEventTranslator;
import dev.budgateway.providers.translate.ChunkBuilder;
import java.util.HashMap;
import java.util.Map;

/**
 * Anthropic's stream ({@code message_start}, {@code content_block_*}, {@code message_delta},
 * {@code message_stop}) as OpenAI {@code chat.completion.chunk}s. Tool use blocks become tool call deltas:
 * the first carries id and name, then each {@code input_json_delta} carries its piece of the arguments.
 */
public final class MessageStreamToChat extends JsonEventTranslator {

    private final ChunkBuilder chunks = new ChunkBuilder("msg", "");
    private JsonNode startUsage = JsonNodeFactory.instance.objectNode();
    /** Anthropic content block index → OpenAI tool call index. */
    private final Map<Integer, Integer> toolIndexes = new HashMap<>();

    public MessageStreamToChat(String providerName) {
        super(providerName);
    }

    @Override
    protected void onEvent(String event, JsonNode data, Emitter out) {
        String type = data.path("type").asText(event == null ? "" : event);
        switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                chunks.id(message.path("id").asText("msg"));
                chunks.model(message.path("model").asText(""));
                startUsage = message.path("usage");
                out.chunk(chunks.role());
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                if ("tool_use".equals(block.path("type").asText())) {
                    int toolIndex = toolIndexes.size();
                    toolIndexes.put(data.path("index").asInt(), toolIndex);
                    out.chunk(chunks.toolCall(toolIndex, block.path("id").asText(), block.path("name").asText(), ""));
                } else if ("redacted_thinking".equals(block.path("type").asText())) {
                    out.chunk(chunks.redactedReasoning(block.path("data").asText()));
                } else if ("text".equals(block.path("type").asText()) && !block.path("text").asText().isEmpty()) {
                    out.chunk(chunks.text(block.path("text").asText()));
                }
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                switch (delta.path("type").asText()) {
                    case "text_delta" -> out.chunk(chunks.text(delta.path("text").asText()));
                    case "thinking_delta" -> out.chunk(chunks.reasoning(delta.path("thinking").asText()));
                    case "signature_delta" -> out.chunk(chunks.reasoningSignature(delta.path("signature").asText()));
                    case "input_json_delta" -> {
                        Integer toolIndex = toolIndexes.get(data.path("index").asInt());
                        String piece = delta.path("partial_json").asText();
                        if (toolIndex != null && !piece.isEmpty()) {
                            out.chunk(chunks.toolArguments(toolIndex, piece));
                        }
                    }
                    default -> {
                        // Citations have no OpenAI form.
                    }
                }
            }
            case "message_delta" -> {
                out.chunk(chunks.finish(MessageToChat.finishReason(data.path("delta").path("stop_reason")
                        .asText(null))));
                ObjectNode usage = startUsage instanceof ObjectNode o ? o.deepCopy()
                        : JsonNodeFactory.instance.objectNode();
                data.path("usage").properties().forEach(e -> {
                    if (!e.getValue().isNull()) {
                        usage.set(e.getKey(), e.getValue());
                    }
                });
                out.chunk(chunks.usage(MessageToChat.usage(usage)));
                out.finished();
            }
            case "message_stop" -> out.finished();
            case "error" -> {
                JsonNode error = data.path("error");
                String errorType = error.path("type").asText("api_error");
                out.fail(midStreamError(errorType, "rate_limit_error".equals(errorType), error.path("message")
                        .asText()));
            }
            default -> {
                // ping, content_block_stop
            }
        }
    }
}
