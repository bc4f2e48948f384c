package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.providers.translate.ChatFields;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI chat completion request as an Anthropic Messages request: system and developer messages
 * become {@code system}, tool calls {@code tool_use} blocks, tool messages {@code tool_result} blocks,
 * images {@code image} blocks (base64 data URLs and plain URLs), {@code stop} becomes
 * {@code stop_sequences}. Fields Anthropic has no equivalent for are dropped with a debug log.
 */
public final class ChatToMessages {

    private static final Logger logger = LoggerFactory.getLogger(ChatToMessages.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Anthropic requires max_tokens; this is what a client that gives none gets. */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    private static final Set<String> HANDLED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "top_k", "stop", "stream", "stream_options", "tools", "tool_choice",
            "parallel_tool_calls", "user");

    private ChatToMessages() {}

    public static ObjectNode translate(ObjectNode chat, String model) {
        ObjectNode out = NODES.objectNode();
        out.put("model", model);
        JsonNode maxTokens = chat.hasNonNull("max_completion_tokens") ? chat.get("max_completion_tokens")
                : chat.get("max_tokens");
        out.put("max_tokens", maxTokens != null && maxTokens.canConvertToInt() ? maxTokens.asInt()
                : DEFAULT_MAX_TOKENS);
        ArrayNode system = NODES.arrayNode();
        ArrayNode messages = out.putArray("messages");
        for (JsonNode m : chat.path("messages")) {
            String role = m.path("role").asText();
            switch (role) {
                case "system", "developer" -> textBlocks(m.get("content"), system);
                case "user" -> ChatFields.appendTurn(messages, "user", "content", contentBlocks(m.get("content")));
                case "assistant" -> {
                    ArrayNode blocks = contentBlocks(m.get("content"));
                    for (JsonNode call : m.path("tool_calls")) {
                        ObjectNode use = blocks.addObject();
                        use.put("type", "tool_use");
                        use.put("id", call.path("id").asText());
                        use.put("name", call.path("function").path("name").asText());
                        use.set("input", ChatFields.arguments(call.path("function").path("arguments")));
                    }
                    if (!blocks.isEmpty()) {
                        ChatFields.appendTurn(messages, "assistant", "content", blocks);
                    }
                }
                case "tool", "function" -> {
                    ObjectNode result = NODES.objectNode();
                    result.put("type", "tool_result");
                    result.put("tool_use_id", m.path("tool_call_id").asText(m.path("name").asText()));
                    JsonNode content = m.get("content");
                    if (content != null && content.isArray()) {
                        result.set("content", contentBlocks(content));
                    } else {
                        result.put("content", content == null || content.isNull() ? "" : content.asText());
                    }
                    ChatFields.appendTurn(messages, "user", "content", NODES.arrayNode().add(result));
                }
                default -> throw new GatewayException(GatewayError.badRequest("invalid_messages",
                        "Unsupported message role '" + role + "'"));
            }
        }
        if (!system.isEmpty()) {
            out.set("system", system);
        }
        ChatFields.copy(chat, "temperature", out, "temperature");
        ChatFields.copy(chat, "top_p", out, "top_p");
        ChatFields.copy(chat, "top_k", out, "top_k");
        ArrayNode stop = ChatFields.stopSequences(chat.get("stop"));
        if (stop != null) {
            out.set("stop_sequences", stop);
        }
        if (chat.path("stream").asBoolean(false)) {
            out.put("stream", true);
        }
        JsonNode tools = chat.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode outTools = out.putArray("tools");
            for (JsonNode t : tools) {
                JsonNode fn = t.path("function");
                ObjectNode tool = outTools.addObject();
                tool.put("name", fn.path("name").asText());
                if (fn.hasNonNull("description")) {
                    tool.put("description", fn.get("description").asText());
                }
                tool.set("input_schema", fn.hasNonNull("parameters") ? fn.get("parameters")
                        : NODES.objectNode().put("type", "object"));
            }
            ObjectNode choice = toolChoice(chat.get("tool_choice"));
            if (chat.has("parallel_tool_calls") && !chat.get("parallel_tool_calls").asBoolean(true)) {
                if (choice == null) {
                    choice = NODES.objectNode().put("type", "auto");
                }
                choice.put("disable_parallel_tool_use", true);
            }
            if (choice != null) {
                out.set("tool_choice", choice);
            }
        }
        String user = chat.path("user").asText(null);
        if (user != null) {
            out.putObject("metadata").put("user_id", user);
        }
        ChatFields.logDropped(logger, chat, HANDLED, "the Anthropic API");
        return out;
    }

    private static ObjectNode toolChoice(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none" -> NODES.objectNode().put("type", "none");
                case "required" -> NODES.objectNode().put("type", "any");
                default -> NODES.objectNode().put("type", "auto");
            };
        }
        String name = choice.path("function").path("name").asText(null);
        return name == null ? null : NODES.objectNode().put("type", "tool").put("name", name);
    }

    private static void textBlocks(JsonNode content, ArrayNode into) {
        for (JsonNode block : contentBlocks(content)) {
            if ("text".equals(block.path("type").asText())) {
                into.add(block);
            }
        }
    }

    static ArrayNode contentBlocks(JsonNode content) {
        return ChatFields.parts(content, text -> NODES.objectNode().put("type", "text").put("text", text),
                ChatToMessages::image, ChatToMessages::document);
    }

    /** A PDF as a base64 document; a plain-text file as a text document. */
    private static ObjectNode document(ChatFields.InlineFile file) {
        ObjectNode block = NODES.objectNode().put("type", "document");
        ObjectNode source = block.putObject("source");
        if (file.data().mediaType().equals("text/plain")) {
            byte[] text;
            try {
                text = Base64.getDecoder().decode(file.data().data());
            } catch (IllegalArgumentException e) {
                throw new GatewayException(GatewayError.badRequest("invalid_file_data", "File data is not base64"));
            }
            source.put("type", "text").put("media_type", "text/plain").put("data",
                    new String(text, StandardCharsets.UTF_8));
        } else {
            source.put("type", "base64").put("media_type", file.data().mediaType()).put("data", file.data().data());
        }
        block.put("title", file.filename());
        return block;
    }

    private static ObjectNode image(String url) {
        ObjectNode block = NODES.objectNode().put("type", "image");
        ObjectNode source = block.putObject("source");
        ChatFields.DataUrl data = ChatFields.dataUrl(url);
        if (data != null) {
            source.put("type", "base64");
            source.put("media_type", data.mediaType());
            source.put("data", data.data());
        } else {
            source.put("type", "url");
            source.put("url", url);
        }
        return block;
    }
}
