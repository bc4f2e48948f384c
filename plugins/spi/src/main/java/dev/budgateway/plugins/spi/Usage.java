package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.databind.JsonNode;

/** Token counts of one response, as the provider reported them. */
public record Usage(long inputTokens, long outputTokens) {

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** Reads an OpenAI {@code usage} object; {@code null} when absent. */
    public static Usage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        return new Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0));
    }
}
