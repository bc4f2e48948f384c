package dev.budgateway.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.providers.translate.CompletionBuilder;

/** A Bedrock Converse response as an OpenAI chat completion. */
final class ConverseToChat {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConverseToChat() {}

    static ObjectNode translate(JsonNode response, String model, String requestId) {
        CompletionBuilder answer = new CompletionBuilder();
        for (JsonNode block : response.path("output").path("message").path("content")) {
            if (block.has("text")) {
                answer.text(block.get("text").asText());
            } else if (block.has("toolUse")) {
                JsonNode use = block.get("toolUse");
                answer.toolCall(use.path("toolUseId").asText(), use.path("name").asText(), use.get("input"));
            } else if (block.has("reasoningContent")) {
                JsonNode reasoning = block.path("reasoningContent").path("reasoningText");
                answer.reasoning(reasoning.path("text").asText());
                if (reasoning.hasNonNull("signature")) {
                    answer.reasoningSignature(reasoning.get("signature").asText());
                }
            }
        }
        return answer.completion("chatcmpl-" + (requestId == null ? "bedrock" : requestId), model,
                finishReason(response.path("stopReason").asText(null)), usage(response.path("usage")));
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
