package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A rough count of a Messages request's input tokens — characters of its text and JSON over four — for
 * when the provider cannot count them (it is not Anthropic) or has not yet (the start of a stream). Claude
 * Code decides when to compact its context from these numbers, so a rough count beats none.
 */
public final class TokenEstimate {

    private static final int CHARS_PER_TOKEN = 4;

    private TokenEstimate() {}

    public static long inputTokens(JsonNode messagesRequest) {
        long chars = chars(messagesRequest.get("system")) + chars(messagesRequest.get("messages"))
                + chars(messagesRequest.get("tools"));
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    /** The text in a node: strings whole, objects by their keys and values (a tool's schema is read too). */
    private static long chars(JsonNode node) {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (node.isTextual()) {
            return node.asText().length();
        }
        if (node.isNumber() || node.isBoolean()) {
            return node.asText().length();
        }
        long n = 0;
        if (node.isObject()) {
            for (var field : node.properties()) {
                n += field.getKey().length() + chars(field.getValue());
            }
            return n;
        }
        for (JsonNode child : node) {
            n += chars(child);
        }
        return n;
    }
}
