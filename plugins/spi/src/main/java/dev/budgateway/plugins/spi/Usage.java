package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.databind.JsonNode;

/** Token counts of one response, as the provider reported them. */
public record Usage(long inputTokens, long outputTokens) {

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /**
     * Reads an OpenAI {@code usage} object: chat and completions' {@code prompt_tokens} /
     * {@code completion_tokens}, or the Responses API's {@code input_tokens} / {@code output_tokens};
     * {@code null} when absent.
     */
    public static Usage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        if (!usage.has("prompt_tokens") && usage.has("input_tokens")) {
            return new Usage(usage.path("input_tokens").asLong(0), usage.path("output_tokens").asLong(0));
        }
        return new Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0));
    }
}
