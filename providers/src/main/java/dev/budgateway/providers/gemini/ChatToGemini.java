package dev.budgateway.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.providers.translate.ChatFields;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI chat request as a Gemini {@code generateContent} request: system messages become
 * {@code systemInstruction}, assistant turns {@code model} turns, tool calls {@code functionCall} parts,
 * tool messages {@code functionResponse} parts (named after the call they answer), images
 * {@code inlineData} or {@code fileData}, tools {@code functionDeclarations}, sampling options
 * {@code generationConfig}.
 */
final class ChatToGemini {

    private static final Logger logger = LoggerFactory.getLogger(ChatToGemini.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final Set<String> HANDLED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "top_k", "stop", "stream", "stream_options", "tools", "tool_choice", "seed",
            "presence_penalty", "frequency_penalty", "response_format", "user");
    /** JSON Schema keywords Gemini's schema subset rejects. */
    private static final Set<String> UNSUPPORTED_SCHEMA_KEYS = Set.of("additionalProperties", "$schema", "strict",
            "$id", "examples", "default");

    private ChatToGemini() {}

    static ObjectNode translate(ObjectNode chat) {
        ObjectNode out = NODES.objectNode();
        ArrayNode contents = out.putArray("contents");
        ArrayNode systemParts = NODES.arrayNode();
        Map<String, String> callNames = new HashMap<>();
        for (JsonNode m : chat.path("messages")) {
            String role = m.path("role").asText();
            switch (role) {
                case "system", "developer" -> systemParts.addAll(parts(m.get("content")));
                case "user" -> ChatFields.appendTurn(contents, "user", "parts", parts(m.get("content")));
                case "assistant" -> {
                    ArrayNode parts = parts(m.get("content"));
                    for (JsonNode call : m.path("tool_calls")) {
                        String name = call.path("function").path("name").asText();
                        callNames.put(call.path("id").asText(), name);
                        ObjectNode fc = parts.addObject().putObject("functionCall");
                        fc.put("name", name);
                        fc.set("args", ChatFields.arguments(call.path("function").path("arguments")));
                    }
                    if (!parts.isEmpty()) {
                        ChatFields.appendTurn(contents, "model", "parts", parts);
                    }
                }
                case "tool", "function" -> {
                    String id = m.path("tool_call_id").asText(null);
                    String name = id != null && callNames.containsKey(id) ? callNames.get(id) : m.path("name")
                            .asText(id);
                    ObjectNode fr = NODES.objectNode();
                    ObjectNode response = fr.putObject("functionResponse");
                    response.put("name", name);
                    response.putObject("response").put("content", ChatFields.text(m.get("content")));
                    ChatFields.appendTurn(contents, "user", "parts", NODES.arrayNode().add(fr));
                }
                default -> throw new GatewayException(GatewayError.badRequest("invalid_messages",
                        "Unsupported message role '" + role + "'"));
            }
        }
        if (!systemParts.isEmpty()) {
            out.putObject("systemInstruction").set("parts", systemParts);
        }
        ObjectNode gen = NODES.objectNode();
        ChatFields.copy(chat, "temperature", gen, "temperature");
        ChatFields.copy(chat, "top_p", gen, "topP");
        ChatFields.copy(chat, "top_k", gen, "topK");
        ChatFields.copy(chat, "seed", gen, "seed");
        ChatFields.copy(chat, "presence_penalty", gen, "presencePenalty");
        ChatFields.copy(chat, "frequency_penalty", gen, "frequencyPenalty");
        ChatFields.copy(chat, chat.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", gen,
                "maxOutputTokens");
        ArrayNode stop = ChatFields.stopSequences(chat.get("stop"));
        if (stop != null) {
            gen.set("stopSequences", stop);
        }
        JsonNode format = chat.path("response_format");
        switch (format.path("type").asText()) {
            case "json_object" -> gen.put("responseMimeType", "application/json");
            case "json_schema" -> {
                gen.put("responseMimeType", "application/json");
                JsonNode schema = format.path("json_schema").path("schema");
                if (schema.isObject()) {
                    gen.set("responseSchema", schema(schema));
                }
            }
            default -> {
                // text, or none
            }
        }
        if (!gen.isEmpty()) {
            out.set("generationConfig", gen);
        }
        JsonNode tools = chat.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode declarations = out.putArray("tools").addObject().putArray("functionDeclarations");
            for (JsonNode t : tools) {
                JsonNode fn = t.path("function");
                ObjectNode d = declarations.addObject();
                d.put("name", fn.path("name").asText());
                if (fn.hasNonNull("description")) {
                    d.put("description", fn.get("description").asText());
                }
                if (fn.path("parameters").isObject() && !fn.path("parameters").path("properties").isEmpty()) {
                    d.set("parameters", schema(fn.get("parameters")));
                }
            }
            ObjectNode config = toolConfig(chat.get("tool_choice"));
            if (config != null) {
                out.putObject("toolConfig").set("functionCallingConfig", config);
            }
        }
        ChatFields.logDropped(logger, chat, HANDLED, "the Gemini API");
        return out;
    }

    private static ObjectNode toolConfig(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (choice.isTextual()) {
            String mode = switch (choice.asText()) {
                case "none" -> "NONE";
                case "required" -> "ANY";
                default -> "AUTO";
            };
            return NODES.objectNode().put("mode", mode);
        }
        String name = choice.path("function").path("name").asText(null);
        if (name == null) {
            return null;
        }
        ObjectNode config = NODES.objectNode().put("mode", "ANY");
        config.putArray("allowedFunctionNames").add(name);
        return config;
    }

    /** A JSON Schema without the keywords Gemini's OpenAPI subset rejects. */
    private static JsonNode schema(JsonNode schema) {
        if (schema.isObject()) {
            ObjectNode copy = NODES.objectNode();
            schema.properties().forEach(e -> {
                if (!UNSUPPORTED_SCHEMA_KEYS.contains(e.getKey())) {
                    // Under "properties" the keys are field names, not keywords.
                    copy.set(e.getKey(), "properties".equals(e.getKey()) ? properties(e.getValue())
                            : schema(e.getValue()));
                }
            });
            return copy;
        }
        if (schema.isArray()) {
            ArrayNode copy = NODES.arrayNode();
            schema.forEach(item -> copy.add(schema(item)));
            return copy;
        }
        return schema;
    }

    private static JsonNode properties(JsonNode properties) {
        if (!properties.isObject()) {
            return properties;
        }
        ObjectNode copy = NODES.objectNode();
        properties.properties().forEach(e -> copy.set(e.getKey(), schema(e.getValue())));
        return copy;
    }

    private static ArrayNode parts(JsonNode content) {
        return ChatFields.parts(content, text -> NODES.objectNode().put("text", text), ChatToGemini::image,
                file -> inline(file.data()));
    }

    /** Inline bytes with their media type: images, and documents such as PDFs. */
    private static ObjectNode inline(ChatFields.DataUrl data) {
        ObjectNode part = NODES.objectNode();
        ObjectNode inline = part.putObject("inlineData");
        inline.put("mimeType", data.mediaType());
        inline.put("data", data.data());
        return part;
    }

    private static ObjectNode image(String url) {
        ChatFields.DataUrl data = ChatFields.dataUrl(url);
        if (data != null) {
            return inline(data);
        }
        ObjectNode part = NODES.objectNode();
        ObjectNode file = part.putObject("fileData");
        file.put("mimeType", mimeTypeOf(url));
        file.put("fileUri", url);
        return part;
    }

    private static String mimeTypeOf(String url) {
        String path = url.toLowerCase(java.util.Locale.ROOT);
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.endsWith(".png")) {
            return "image/png";
        }
        if (path.endsWith(".webp")) {
            return "image/webp";
        }
        if (path.endsWith(".gif")) {
            return "image/gif";
        }
        return "image/jpeg";
    }
}
