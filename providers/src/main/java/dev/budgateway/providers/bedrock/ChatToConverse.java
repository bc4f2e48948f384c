package dev.budgateway.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.providers.translate.ChatFields;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI chat request as a Bedrock Converse request: {@code system} blocks, {@code toolUse} and
 * {@code toolResult} content blocks, images as bytes (Converse takes no URLs), {@code inferenceConfig} and
 * {@code toolConfig}.
 */
final class ChatToConverse {

    private static final Logger logger = LoggerFactory.getLogger(ChatToConverse.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> HANDLED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "stop", "stream", "stream_options", "tools", "tool_choice", "user");

    private ChatToConverse() {}

    static ObjectNode translate(ObjectNode chat) {
        ObjectNode out = NODES.objectNode();
        ArrayNode messages = out.putArray("messages");
        ArrayNode system = NODES.arrayNode();
        for (JsonNode m : chat.path("messages")) {
            String role = m.path("role").asText();
            switch (role) {
                case "system", "developer" -> {
                    for (JsonNode block : content(m.get("content"))) {
                        if (block.has("text")) {
                            system.add(block);
                        }
                    }
                }
                case "user" -> ChatFields.appendTurn(messages, "user", "content", content(m.get("content")));
                case "assistant" -> {
                    ArrayNode blocks = content(m.get("content"));
                    for (JsonNode call : m.path("tool_calls")) {
                        ObjectNode use = blocks.addObject().putObject("toolUse");
                        use.put("toolUseId", call.path("id").asText());
                        use.put("name", call.path("function").path("name").asText());
                        use.set("input", ChatFields.arguments(call.path("function").path("arguments")));
                    }
                    if (!blocks.isEmpty()) {
                        ChatFields.appendTurn(messages, "assistant", "content", blocks);
                    }
                }
                case "tool", "function" -> {
                    ObjectNode result = NODES.objectNode();
                    ObjectNode tr = result.putObject("toolResult");
                    tr.put("toolUseId", m.path("tool_call_id").asText());
                    tr.putArray("content").addObject().put("text", ChatFields.text(m.get("content")));
                    ChatFields.appendTurn(messages, "user", "content", NODES.arrayNode().add(result));
                }
                default -> throw new GatewayException(GatewayError.badRequest("invalid_messages",
                        "Unsupported message role '" + role + "'"));
            }
        }
        if (!system.isEmpty()) {
            out.set("system", system);
        }
        ObjectNode inference = NODES.objectNode();
        JsonNode maxTokens = chat.hasNonNull("max_completion_tokens") ? chat.get("max_completion_tokens")
                : chat.get("max_tokens");
        if (maxTokens != null && !maxTokens.isNull()) {
            inference.set("maxTokens", maxTokens);
        }
        if (chat.hasNonNull("temperature")) {
            inference.set("temperature", chat.get("temperature"));
        }
        if (chat.hasNonNull("top_p")) {
            inference.set("topP", chat.get("top_p"));
        }
        ArrayNode stop = ChatFields.stopSequences(chat.get("stop"));
        if (stop != null) {
            inference.set("stopSequences", stop);
        }
        if (!inference.isEmpty()) {
            out.set("inferenceConfig", inference);
        }
        JsonNode tools = chat.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()
                && !"none".equals(chat.path("tool_choice").asText())) {
            ObjectNode toolConfig = out.putObject("toolConfig");
            ArrayNode specs = toolConfig.putArray("tools");
            for (JsonNode t : tools) {
                JsonNode fn = t.path("function");
                ObjectNode spec = specs.addObject().putObject("toolSpec");
                spec.put("name", fn.path("name").asText());
                if (fn.hasNonNull("description")) {
                    spec.put("description", fn.get("description").asText());
                }
                spec.putObject("inputSchema").set("json", fn.hasNonNull("parameters") ? fn.get("parameters")
                        : NODES.objectNode().put("type", "object"));
            }
            JsonNode choice = chat.get("tool_choice");
            if (choice != null && choice.isTextual() && "required".equals(choice.asText())) {
                toolConfig.putObject("toolChoice").putObject("any");
            } else if (choice != null && choice.isObject()) {
                toolConfig.putObject("toolChoice").putObject("tool").put("name", choice.path("function").path("name")
                        .asText());
            }
        }
        ChatFields.logDropped(logger, chat, HANDLED, "Bedrock Converse");
        return out;
    }

    private static ArrayNode content(JsonNode content) {
        return ChatFields.parts(content, text -> NODES.objectNode().put("text", text), ChatToConverse::image,
                ChatToConverse::document);
    }

    /** A document block: Converse names the format (pdf, txt, csv, ...) and wants a plain name. */
    private static ObjectNode document(ChatFields.InlineFile file) {
        String type = file.data().mediaType();
        String format = switch (type) {
            case "application/pdf" -> "pdf";
            case "text/plain" -> "txt";
            case "text/csv" -> "csv";
            case "text/html" -> "html";
            case "text/markdown" -> "md";
            case "application/msword" -> "doc";
            case "application/vnd.openxmlformats-officedocument.wordprocessingml.document" -> "docx";
            case "application/vnd.ms-excel" -> "xls";
            case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" -> "xlsx";
            default -> throw new GatewayException(GatewayError.badRequest("unsupported_content",
                    "Bedrock takes no documents of type " + type));
        };
        String name = file.filename().replaceAll("\\.[A-Za-z0-9]+$", "").replaceAll("[^A-Za-z0-9 ()\\[\\]-]", " ")
                .replaceAll("\\s+", " ").strip();
        ObjectNode block = NODES.objectNode();
        ObjectNode document = block.putObject("document");
        document.put("format", format);
        document.put("name", name.isEmpty() ? "document" : name);
        document.putObject("source").put("bytes", file.data().data());
        return block;
    }

    private static ObjectNode image(String url) {
        ChatFields.DataUrl data = ChatFields.dataUrl(url);
        if (data == null) {
            throw new GatewayException(GatewayError.badRequest("unsupported_image_url",
                    "Bedrock takes images as data: URLs (base64) only, not as links"));
        }
        String format = data.mediaType().startsWith("image/") ? data.mediaType().substring(6) : data.mediaType();
        ObjectNode block = NODES.objectNode();
        ObjectNode image = block.putObject("image");
        image.put("format", "jpg".equals(format) ? "jpeg" : format);
        image.putObject("source").put("bytes", data.data());
        return block;
    }
}
