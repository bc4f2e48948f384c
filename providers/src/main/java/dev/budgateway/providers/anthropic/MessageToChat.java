package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.providers.translate.CompletionBuilder;

/** An Anthropic Messages response as an OpenAI chat completion. */
public final class MessageToChat {

    private MessageToChat() {}

    public static ObjectNode translate(JsonNode message) {
        CompletionBuilder answer = new CompletionBuilder();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> answer.text(block.path("text").asText());
                case "thinking" -> {
                    answer.reasoning(block.path("thinking").asText());
                    if (block.hasNonNull("signature")) {
                        answer.reasoningSignature(block.get("signature").asText());
                    }
                }
                case "redacted_thinking" -> answer.redactedReasoning(block.path("data").asText());
                case "tool_use" -> answer.toolCall(block.path("id").asText(), block.path("name").asText(),
                        block.get("input"));
                default -> {
                    // Server tool results have no OpenAI form.
                }
            }
        }
        return answer.completion(message.path("id").asText("msg"), message.path("model").asText(),
                finishReason(message.path("stop_reason").asText(null)), usage(message.path("usage")));
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
        ObjectNode u = JsonNodeFactory.instance.objectNode();
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
