package dev.budgateway.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;

/** A Bedrock Converse response as an OpenAI chat completion. */
final class ConverseToChat {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConverseToChat() {}

    static ObjectNode translate(JsonNode response, String model, String requestId) {
        ObjectNode out = NODES.objectNode();
        out.put("id", "chatcmpl-" + (requestId == null ? "bedrock" : requestId));
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = NODES.arrayNode();
        for (JsonNode block : response.path("output").path("message").path("content")) {
            if (block.has("text")) {
                text.append(block.get("text").asText());
            } else if (block.has("toolUse")) {
                JsonNode use = block.get("toolUse");
                ObjectNode call = calls.addObject();
                call.put("id", use.path("toolUseId").asText());
                call.put("type", "function");
                call.putObject("function").put("name", use.path("name").asText()).put("arguments",
                        Json.string(use.path("input").isObject() ? use.get("input") : NODES.objectNode()));
            } else if (block.has("reasoningContent")) {
                reasoning.append(block.path("reasoningContent").path("reasoningText").path("text").asText());
            }
        }
        if (text.length() > 0 || calls.isEmpty()) {
            message.put("content", text.toString());
        } else {
            message.putNull("content");
        }
        if (reasoning.length() > 0) {
            message.put("reasoning_content", reasoning.toString());
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        choice.put("finish_reason", finishReason(response.path("stopReason").asText(null)));
        out.set("usage", usage(response.path("usage")));
        return out;
    }

    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "guardrail_intervened", "content_filtered" -> "content_filter";
            default -> "stop";
        };
    }

    static ObjectNode usage(JsonNode usage) {
        long input = usage.path("inputTokens").asLong(0);
        long output = usage.path("outputTokens").asLong(0);
        long cacheRead = usage.path("cacheReadInputTokens").asLong(0);
        long cacheWrite = usage.path("cacheWriteInputTokens").asLong(0);
        long prompt = input + cacheRead + cacheWrite;
        ObjectNode u = NODES.objectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", output);
        u.put("total_tokens", prompt + output);
        u.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
        return u;
    }
}
