package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;

/** An Anthropic Messages response as an OpenAI chat completion. */
public final class MessageToChat {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MessageToChat() {}

    public static ObjectNode translate(JsonNode message) {
        ObjectNode out = NODES.objectNode();
        out.put("id", message.path("id").asText("msg"));
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", message.path("model").asText());
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message");
        msg.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = NODES.arrayNode();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "thinking" -> reasoning.append(block.path("thinking").asText());
                case "tool_use" -> {
                    ObjectNode call = calls.addObject();
                    call.put("id", block.path("id").asText());
                    call.put("type", "function");
                    ObjectNode fn = call.putObject("function");
                    fn.put("name", block.path("name").asText());
                    fn.put("arguments", Json.string(block.path("input").isMissingNode() ? NODES.objectNode()
                            : block.path("input")));
                }
                default -> {
                    // Server tool results and redacted thinking have no OpenAI form.
                }
            }
        }
        if (text.length() > 0 || calls.isEmpty()) {
            msg.put("content", text.toString());
        } else {
            msg.putNull("content");
        }
        if (reasoning.length() > 0) {
            msg.put("reasoning_content", reasoning.toString());
        }
        if (!calls.isEmpty()) {
            msg.set("tool_calls", calls);
        }
        choice.put("finish_reason", finishReason(message.path("stop_reason").asText(null)));
        out.set("usage", usage(message.path("usage")));
        return out;
    }

    /** Anthropic's {@code stop_reason} as OpenAI's {@code finish_reason}. */
    public static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /**
     * Anthropic counts cached input apart from {@code input_tokens}; OpenAI's {@code prompt_tokens} is all of
     * the input, with the cached part in {@code prompt_tokens_details.cached_tokens}.
     */
    public static ObjectNode usage(JsonNode usage) {
        long input = usage.path("input_tokens").asLong(0);
        long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
        long output = usage.path("output_tokens").asLong(0);
        ObjectNode u = NODES.objectNode();
        long prompt = input + cacheRead + cacheWrite;
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", output);
        u.put("total_tokens", prompt + output);
        u.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
        if (cacheWrite > 0) {
            u.put("cache_creation_input_tokens", cacheWrite);
        }
        return u;
    }
}
