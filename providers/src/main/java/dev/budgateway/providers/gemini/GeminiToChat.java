package dev.budgateway.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;

/** A Gemini {@code GenerateContentResponse} as an OpenAI chat completion. */
final class GeminiToChat {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GeminiToChat() {}

    static ObjectNode translate(JsonNode response, String model) {
        ObjectNode out = NODES.objectNode();
        out.put("id", "chatcmpl-" + response.path("responseId").asText("gemini"));
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", response.path("modelVersion").asText(model));
        ArrayNode choices = out.putArray("choices");
        JsonNode candidates = response.path("candidates");
        if (candidates.isEmpty()) {
            // The prompt itself was blocked (promptFeedback.blockReason): no candidate at all.
            ObjectNode choice = choices.addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").putNull("content");
            choice.put("finish_reason", "content_filter");
        }
        int toolIndex = 0;
        for (JsonNode candidate : candidates) {
            ObjectNode choice = choices.addObject();
            choice.put("index", candidate.path("index").asInt(choices.size() - 1));
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            StringBuilder text = new StringBuilder();
            StringBuilder reasoning = new StringBuilder();
            ArrayNode calls = NODES.arrayNode();
            for (JsonNode part : candidate.path("content").path("parts")) {
                if (part.has("functionCall")) {
                    calls.add(toolCall(part.get("functionCall"), toolIndex++));
                } else if (part.path("thought").asBoolean(false)) {
                    reasoning.append(part.path("text").asText());
                } else if (part.has("text")) {
                    text.append(part.path("text").asText());
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
            choice.put("finish_reason", finishReason(candidate.path("finishReason").asText(null), !calls.isEmpty()));
        }
        if (response.has("usageMetadata")) {
            out.set("usage", usage(response.get("usageMetadata")));
        }
        return out;
    }

    /** A {@code functionCall} part as an OpenAI tool call; Gemini gives calls no id unless asked, so one is made. */
    static ObjectNode toolCall(JsonNode functionCall, int index) {
        ObjectNode call = NODES.objectNode();
        call.put("id", functionCall.path("id").asText("call_" + index));
        call.put("type", "function");
        ObjectNode fn = call.putObject("function");
        fn.put("name", functionCall.path("name").asText());
        fn.put("arguments", Json.string(functionCall.path("args").isObject() ? functionCall.get("args")
                : NODES.objectNode()));
        return call;
    }

    /** Gemini's {@code finishReason} as OpenAI's; safety stops are {@code content_filter}. */
    static String finishReason(String reason, boolean toolCalls) {
        if (toolCalls) {
            return "tool_calls";
        }
        if (reason == null) {
            return null;
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
