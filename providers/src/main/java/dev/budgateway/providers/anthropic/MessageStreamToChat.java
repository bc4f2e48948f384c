package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.http.StreamTranslator;
import dev.budgateway.providers.sse.SseEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Anthropic's stream ({@code message_start}, {@code content_block_*}, {@code message_delta},
 * {@code message_stop}) as OpenAI {@code chat.completion.chunk}s. Tool use blocks become tool call deltas:
 * the first carries id and name, then each {@code input_json_delta} carries its piece of the arguments.
 */
public final class MessageStreamToChat implements StreamTranslator {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String providerName;
    private final long created = System.currentTimeMillis() / 1000;
    private String id = "msg";
    private String model = "";
    private JsonNode startUsage = NODES.objectNode();
    /** Anthropic content block index → OpenAI tool call index. */
    private final Map<Integer, Integer> toolIndexes = new HashMap<>();

    public MessageStreamToChat(String providerName) {
        this.providerName = providerName;
    }

    @Override
    public void onEvent(SseEvent event, Emitter out) {
        JsonNode data;
        try {
            data = Json.parse(event.data());
        } catch (IOException e) {
            out.fail(new GatewayError(502, "upstream_error", "upstream_invalid_stream", "Provider '" + providerName
                    + "' sent an event that is not JSON"));
            return;
        }
        String type = data.path("type").asText(event.event() == null ? "" : event.event());
        switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                id = message.path("id").asText(id);
                model = message.path("model").asText(model);
                startUsage = message.path("usage");
                ObjectNode delta = NODES.objectNode().put("role", "assistant").put("content", "");
                out.chunk(chunk(delta, null));
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                int index = data.path("index").asInt();
                if ("tool_use".equals(block.path("type").asText())) {
                    int toolIndex = toolIndexes.size();
                    toolIndexes.put(index, toolIndex);
                    ObjectNode call = NODES.objectNode();
                    call.put("index", toolIndex);
                    call.put("id", block.path("id").asText());
                    call.put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText()).put("arguments", "");
                    ObjectNode delta = NODES.objectNode();
                    delta.putArray("tool_calls").add(call);
                    out.chunk(chunk(delta, null));
                } else if ("text".equals(block.path("type").asText()) && !block.path("text").asText().isEmpty()) {
                    out.chunk(chunk(NODES.objectNode().put("content", block.path("text").asText()), null));
                }
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                switch (delta.path("type").asText()) {
                    case "text_delta" -> out.chunk(chunk(NODES.objectNode().put("content", delta.path("text")
                            .asText()), null));
                    case "thinking_delta" -> out.chunk(chunk(NODES.objectNode().put("reasoning_content",
                            delta.path("thinking").asText()), null));
                    case "input_json_delta" -> {
                        Integer toolIndex = toolIndexes.get(data.path("index").asInt());
                        if (toolIndex != null) {
                            ObjectNode call = NODES.objectNode().put("index", toolIndex);
                            call.putObject("function").put("arguments", delta.path("partial_json").asText());
                            ObjectNode d = NODES.objectNode();
                            d.putArray("tool_calls").add(call);
                            out.chunk(chunk(d, null));
                        }
                    }
                    default -> {
                        // Signatures and citations have no OpenAI form.
                    }
                }
            }
            case "message_delta" -> {
                String reason = MessageToChat.finishReason(data.path("delta").path("stop_reason").asText(null));
                out.chunk(chunk(NODES.objectNode(), reason));
                ObjectNode usage = startUsage.deepCopy() instanceof ObjectNode o ? o : NODES.objectNode();
                data.path("usage").properties().forEach(e -> {
                    if (!e.getValue().isNull()) {
                        usage.set(e.getKey(), e.getValue());
                    }
                });
                ObjectNode last = base();
                last.putArray("choices");
                last.set("usage", MessageToChat.usage(usage));
                out.chunk(Chunk.event(last));
                out.finished();
            }
            case "message_stop" -> out.finished();
            case "error" -> {
                JsonNode error = data.path("error");
                String errorType = error.path("type").asText("api_error");
                int status = "rate_limit_error".equals(errorType) ? 429 : 502;
                out.fail(new GatewayError(status, status == 429 ? "rate_limit_error" : "upstream_error", errorType,
                        "Provider '" + providerName + "' failed mid-stream: " + error.path("message").asText()));
            }
            default -> {
                // ping, content_block_stop
            }
        }
    }

    private ObjectNode base() {
        ObjectNode o = NODES.objectNode();
        o.put("id", id);
        o.put("object", "chat.completion.chunk");
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    private Chunk chunk(ObjectNode delta, String finishReason) {
        ObjectNode o = base();
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return Chunk.event(o);
    }
}
