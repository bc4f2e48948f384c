package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

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

    /**
     * Reads an OpenAI {@code usage} object as {@link #fromOpenAi} does, from a parser on its start, without a
     * tree; the parser is left on the object's end.
     */
    public static Usage read(JsonParser p) throws IOException {
        long prompt = 0;
        long completion = 0;
        long input = 0;
        long output = 0;
        boolean hasPrompt = false;
        boolean hasInput = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            boolean scalar = p.nextToken().isScalarValue();
            long value = scalar ? asLong(p) : 0; // an object or array counts 0, as in a tree
            if (!scalar) {
                p.skipChildren();
            }
            switch (name) {
                case "prompt_tokens" -> {
                    prompt = value;
                    hasPrompt = true;
                }
                case "completion_tokens" -> completion = value;
                case "input_tokens" -> {
                    input = value;
                    hasInput = true;
                }
                case "output_tokens" -> output = value;
                default -> { }
            }
        }
        return !hasPrompt && hasInput ? new Usage(input, output) : new Usage(prompt, completion);
    }

    /** A scalar as {@code JsonNode.asLong(0)} reads it: numbers out of range truncated or saturated, never refused. */
    private static long asLong(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue().longValue() : p.getLongValue();
            case VALUE_NUMBER_FLOAT -> (long) p.getDoubleValue();
            default -> p.getValueAsLong(0);
        };
    }
}
