package dev.budgateway.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.providers.translate.CompletionBuilder;

/** A Gemini {@code GenerateContentResponse} as an OpenAI chat completion. */
final class GeminiToChat {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GeminiToChat() {}

    static ObjectNode translate(JsonNode response, String model) {
        String id = "chatcmpl-" + response.path("responseId").asText("gemini");
        String modelVersion = response.path("modelVersion").asText(model);
        ObjectNode usage = response.has("usageMetadata") ? usage(response.get("usageMetadata")) : null;
        JsonNode candidate = response.path("candidates").path(0);
        if (candidate.isMissingNode()) {
            // The prompt itself was blocked (promptFeedback.blockReason): no candidate at all.
            ObjectNode blocked = new CompletionBuilder().completion(id, modelVersion, "content_filter", usage);
            ((ObjectNode) blocked.path("choices").path(0).path("message")).putNull("content");
            return blocked;
        }
        CompletionBuilder answer = new CompletionBuilder();
        int toolIndex = 0;
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (part.has("functionCall")) {
                JsonNode call = part.get("functionCall");
                answer.toolCall(toolCallId(call, toolIndex++), call.path("name").asText(), call.get("args"));
            } else if (part.path("thought").asBoolean(false)) {
                answer.reasoning(part.path("text").asText());
            } else if (part.has("text")) {
                answer.text(part.path("text").asText());
            }
        }
        return answer.completion(id, modelVersion, finishReason(candidate.path("finishReason").asText(null),
                answer.hasToolCalls()), usage);
    }

    /** Gemini gives calls no id unless asked, so one is made from the call's position. */
    static String toolCallId(JsonNode functionCall, int index) {
        return functionCall.path("id").asText("call_" + index);
    }

    /** Gemini's {@code finishReason} as OpenAI's; safety stops are {@code content_filter}. */
    static String finishReason(String reason, boolean toolCalls) {
        if (toolCalls) {
            return "tool_calls";
        }
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case "STOP", "FINISH_REASON_UNSPECIFIED", "OTHER" -> "stop";
            case "MAX_TOKENS" -> "length";
            case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL" -> "stop";
            default -> "content_filter"; // SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY
        };
    }

    static ObjectNode usage(JsonNode meta) {
        long prompt = meta.path("promptTokenCount").asLong(0);
        long completion = meta.path("candidatesTokenCount").asLong(0) + meta.path("thoughtsTokenCount").asLong(0);
        ObjectNode u = NODES.objectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", meta.path("totalTokenCount").asLong(prompt + completion));
        u.putObject("prompt_tokens_details").put("cached_tokens", meta.path("cachedContentTokenCount").asLong(0));
        if (meta.has("thoughtsTokenCount")) {
            u.putObject("completion_tokens_details").put("reasoning_tokens", meta.path("thoughtsTokenCount").asLong());
        }
        return u;
    }
}
