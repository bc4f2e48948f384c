package dev.budgateway.providers.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;

/** Makes one OpenAI {@code chat.completion} from a translated answer's parts. */
public final class CompletionBuilder {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final StringBuilder text = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private String reasoningSignature;
    private String redactedReasoning;
    private final ArrayNode toolCalls = NODES.arrayNode();

    public CompletionBuilder text(String piece) {
        text.append(piece);
        return this;
    }

    public CompletionBuilder reasoning(String piece) {
        reasoning.append(piece);
        return this;
    }

    /** See {@link ChunkBuilder#reasoningSignature}. */
    public CompletionBuilder reasoningSignature(String signature) {
        reasoningSignature = signature;
        return this;
    }

    /** See {@link ChunkBuilder#redactedReasoning}. */
    public CompletionBuilder redactedReasoning(String data) {
        redactedReasoning = data;
        return this;
    }

    /** A tool call; {@code arguments} is the provider's input object, sent as OpenAI's JSON string. */
    public CompletionBuilder toolCall(String id, String name, JsonNode arguments) {
        ObjectNode call = toolCalls.addObject();
        call.put("id", id);
        call.put("type", "function");
        call.putObject("function").put("name", name).put("arguments", Json.string(arguments != null
                && arguments.isObject() ? arguments : NODES.objectNode()));
        return this;
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /** The assistant message: content is {@code null} when the answer is only tool calls. */
    public ObjectNode message() {
        ObjectNode message = NODES.objectNode();
        message.put("role", "assistant");
        if (text.length() > 0 || toolCalls.isEmpty()) {
            message.put("content", text.toString());
        } else {
            message.putNull("content");
        }
        if (reasoning.length() > 0) {
            message.put("reasoning_content", reasoning.toString());
        }
        if (reasoningSignature != null) {
            message.put("reasoning_signature", reasoningSignature);
        }
        if (redactedReasoning != null) {
            message.put("reasoning_redacted", redactedReasoning);
        }
        if (!toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls.deepCopy());
        }
        return message;
    }

    /** The whole completion with one choice. */
    public ObjectNode completion(String id, String model, String finishReason, ObjectNode usage) {
        ObjectNode out = NODES.objectNode();
        out.put("id", id);
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", message());
        choice.put("finish_reason", finishReason);
        if (usage != null) {
            out.set("usage", usage);
        }
        return out;
    }
}
