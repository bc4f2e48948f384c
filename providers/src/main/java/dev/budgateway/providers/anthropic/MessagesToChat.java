package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.translate.ChatFields;

/**
 * An Anthropic Messages request (as Claude Code and the Anthropic SDKs send it) as an OpenAI chat request,
 * so that it can go through the chain to any provider: {@code system} becomes a system message,
 * {@code tool_use} blocks tool calls, each {@code tool_result} block a tool message, images
 * {@code image_url} parts. Fields with no OpenAI equivalent ({@code cache_control}, {@code thinking}) are
 * not carried; when the provider is Anthropic the original request is sent instead (see
 * {@code AnthropicProtocol}).
 */
public final class MessagesToChat {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MessagesToChat() {}

    /** Checks the fields Anthropic requires and translates. */
    public static ObjectNode translate(ObjectNode messages) {
        if (!messages.path("model").isTextual() || messages.path("model").asText().isEmpty()) {
            throw invalid("model: Field required");
        }
        if (!messages.path("max_tokens").canConvertToInt()) {
            throw invalid("max_tokens: Field required");
        }
        if (!messages.path("messages").isArray() || messages.path("messages").isEmpty()) {
            throw invalid("messages: Field required (a non-empty list)");
        }
        ObjectNode chat = NODES.objectNode();
        chat.put("model", messages.get("model").asText());
        ArrayNode out = chat.putArray("messages");
        JsonNode system = messages.get("system");
        if (system != null && !system.isNull()) {
            String text = system.isTextual() ? system.asText() : joinText(system);
            out.addObject().put("role", "system").put("content", text);
        }
        for (JsonNode m : messages.path("messages")) {
            String role = m.path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                throw invalid("messages: role must be 'user' or 'assistant', found '" + role + "'");
            }
            JsonNode content = m.get("content");
            if (content == null || content.isTextual()) {
                out.addObject().put("role", role).put("content", content == null ? "" : content.asText());
                continue;
            }
            if (role.equals("assistant")) {
                assistant(content, out);
            } else {
                user(content, out);
            }
        }
        chat.set("max_tokens", messages.get("max_tokens"));
        ChatFields.copy(messages, "temperature", chat, "temperature");
        ChatFields.copy(messages, "top_p", chat, "top_p");
        ChatFields.copy(messages, "top_k", chat, "top_k");
        ChatFields.copy(messages, "stop_sequences", chat, "stop");
        if (messages.path("stream").asBoolean(false)) {
            chat.put("stream", true);
            chat.putObject("stream_options").put("include_usage", true);
        }
        JsonNode tools = messages.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode outTools = chat.putArray("tools");
            for (JsonNode t : tools) {
                if (!t.has("input_schema")) {
                    continue; // Server tools (web search, ...) run at Anthropic only.
                }
                ObjectNode fn = outTools.addObject().put("type", "function").putObject("function");
                fn.put("name", t.path("name").asText());
                if (t.hasNonNull("description")) {
                    fn.put("description", t.get("description").asText());
                }
                fn.set("parameters", t.get("input_schema"));
            }
            JsonNode choice = messages.path("tool_choice");
            switch (choice.path("type").asText("")) {
                case "any" -> chat.put("tool_choice", "required");
                case "none" -> chat.put("tool_choice", "none");
                case "tool" -> chat.putObject("tool_choice").put("type", "function").putObject("function")
                        .put("name", choice.path("name").asText());
                case "auto" -> chat.put("tool_choice", "auto");
                default -> { }
            }
            if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
                chat.put("parallel_tool_calls", false);
            }
        }
        String user = messages.path("metadata").path("user_id").asText(null);
        if (user != null) {
            chat.put("user", user);
        }
        return chat;
    }

    private static void assistant(JsonNode content, ArrayNode out) {
        StringBuilder text = new StringBuilder();
        ArrayNode calls = NODES.arrayNode();
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    ObjectNode call = calls.addObject();
                    call.put("id", block.path("id").asText());
                    call.put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText()).put("arguments",
                            Json.string(block.path("input").isObject() ? block.get("input") : NODES.objectNode()));
                }
                default -> {
                    // thinking and redacted_thinking blocks are Anthropic's own
                }
            }
        }
        ObjectNode m = out.addObject().put("role", "assistant");
        if (text.length() > 0 || calls.isEmpty()) {
            m.put("content", text.toString());
        } else {
            m.putNull("content");
        }
        if (!calls.isEmpty()) {
            m.set("tool_calls", calls);
        }
    }

    /** Tool results first, as tool messages (they answer the previous turn), then the rest as one user message. */
    private static void user(JsonNode content, ArrayNode out) {
        ArrayNode parts = NODES.arrayNode();
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asText());
                case "image" -> parts.add(image(block.path("source")));
                case "tool_result" -> {
                    JsonNode result = block.get("content");
                    String text = result == null ? "" : result.isTextual() ? result.asText() : joinText(result);
                    if (block.path("is_error").asBoolean(false)) {
                        text = "Error: " + text;
                    }
                    out.addObject().put("role", "tool").put("tool_call_id", block.path("tool_use_id").asText())
                            .put("content", text);
                }
                default -> throw invalid("messages: content block type '" + block.path("type").asText()
                        + "' is not supported here");
            }
        }
        if (!parts.isEmpty()) {
            out.addObject().put("role", "user").set("content", parts);
        }
    }

    private static ObjectNode image(JsonNode source) {
        String url = "base64".equals(source.path("type").asText())
                ? "data:" + source.path("media_type").asText() + ";base64," + source.path("data").asText()
                : source.path("url").asText();
        ObjectNode part = NODES.objectNode().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }

    private static String joinText(JsonNode blocks) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : blocks) {
            if (b.has("text")) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(b.get("text").asText());
            }
        }
        return sb.toString();
    }

    private static GatewayException invalid(String message) {
        return new GatewayException(GatewayError.badRequest("invalid_request_body", message));
    }
}
