package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.translate.ChatFields;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Anthropic Messages request (as Claude Code and the Anthropic SDKs send it) as an OpenAI chat request,
 * so that it can go through the chain to any provider.
 *
 * <p>It accepts every request the Messages API accepts: the only errors are the API's own rules
 * ({@code model}, {@code max_tokens} and a non-empty {@code messages} list are required, roles are
 * {@code user}, {@code assistant} or — mid-conversation, as Claude Code sends it — {@code system}).
 * Everything the chat form can express is carried: {@code system} (top level and inside
 * {@code messages}, each at its place), text, images, documents (PDFs as {@code file} parts, text
 * documents as text), search results as text, tool uses as tool calls, tool results as tool messages
 * (their images in the user message that follows), custom tools, {@code tool_choice},
 * {@code stop_sequences}, a JSON-schema output format as {@code response_format}. What it cannot
 * express ({@code thinking}, {@code cache_control}, server tools and their result blocks, beta fields
 * such as {@code context_management}) is dropped, and one debug line per request names it. When the
 * provider is Anthropic the client's own request is sent instead (see {@link InboundMessages}), so
 * nothing is lost there.
 */
public final class MessagesToChat {

    private static final Logger logger = LoggerFactory.getLogger(MessagesToChat.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Top-level fields the chat form carries; every other one is named as dropped. */
    private static final Set<String> CARRIED = Set.of("model", "messages", "max_tokens", "system", "temperature",
            "top_p", "top_k", "stop_sequences", "stream", "tools", "tool_choice", "metadata", "output_format",
            "output_config");
    /** The fields of a custom tool the chat form carries. */
    private static final Set<String> TOOL_FIELDS = Set.of("type", "name", "description", "input_schema", "strict");
    /** OpenAI refuses a longer {@code user}; Claude Code's {@code metadata.user_id} is a JSON document of ~150. */
    private static final int MAX_USER_LENGTH = 64;

    private MessagesToChat() {}

    /** Checks the fields Anthropic requires and translates. */
    public static ObjectNode translate(ObjectNode request) {
        if (!request.path("model").isTextual() || request.path("model").asText().isEmpty()) {
            throw invalid("model: Field required");
        }
        if (!request.path("max_tokens").canConvertToInt()) {
            throw invalid("max_tokens: Field required");
        }
        if (!request.path("messages").isArray() || request.path("messages").isEmpty()) {
            throw invalid("messages: Field required (a non-empty list)");
        }
        Dropped dropped = new Dropped();
        ObjectNode chat = NODES.objectNode();
        chat.put("model", request.get("model").asText());
        ArrayNode out = chat.putArray("messages");
        JsonNode system = request.get("system");
        if (system != null && !system.isNull()) {
            out.addObject().put("role", "system").put("content", text(system, dropped));
        }
        int i = 0;
        for (JsonNode m : request.get("messages")) {
            String role = m.path("role").asText();
            JsonNode content = m.get("content");
            if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
                throw invalid("messages." + i + ".content: must be a string or a list of content blocks");
            }
            switch (role) {
                case "user" -> user(content, out, dropped);
                case "assistant" -> assistant(content, out, dropped);
                case "system" -> out.addObject().put("role", "system").put("content", text(content, dropped));
                default -> throw invalid("messages." + i + ".role: must be 'user' or 'assistant', found '" + role
                        + "'");
            }
            i++;
        }
        chat.set("max_tokens", request.get("max_tokens"));
        ChatFields.copy(request, "temperature", chat, "temperature");
        ChatFields.copy(request, "top_p", chat, "top_p");
        ChatFields.copy(request, "top_k", chat, "top_k");
        ChatFields.copy(request, "stop_sequences", chat, "stop");
        if (request.path("stream").asBoolean(false)) {
            chat.put("stream", true);
            chat.putObject("stream_options").put("include_usage", true);
        }
        tools(request, chat, dropped);
        outputFormat(request, chat, dropped);
        JsonNode metadata = request.path("metadata");
        metadata.fieldNames().forEachRemaining(f -> {
            if (!f.equals("user_id")) {
                dropped.add("metadata." + f);
            }
        });
        String user = metadata.path("user_id").asText(null);
        if (user != null && user.length() <= MAX_USER_LENGTH) {
            chat.put("user", user);
        } else if (user != null) {
            dropped.add("metadata.user_id (over " + MAX_USER_LENGTH + " characters)");
        }
        request.fieldNames().forEachRemaining(f -> {
            if (!CARRIED.contains(f)) {
                dropped.add(f);
            }
        });
        dropped.log();
        return chat;
    }

    private static void tools(JsonNode request, ObjectNode chat, Dropped dropped) {
        ArrayNode functions = NODES.arrayNode();
        for (JsonNode t : request.path("tools")) {
            String type = t.path("type").asText("custom");
            if (!type.equals("custom") || !t.has("input_schema")) {
                dropped.add("tool '" + type + "'"); // server tools (web search, code execution, ...) run at Anthropic
                continue;
            }
            ObjectNode fn = functions.addObject().put("type", "function").putObject("function");
            fn.put("name", t.path("name").asText());
            if (t.hasNonNull("description")) {
                fn.put("description", t.get("description").asText());
            }
            fn.set("parameters", t.get("input_schema"));
            ChatFields.copy(t, "strict", fn, "strict");
            t.fieldNames().forEachRemaining(f -> {
                if (!TOOL_FIELDS.contains(f)) {
                    dropped.add("tools[]." + f);
                }
            });
        }
        if (functions.isEmpty()) {
            return; // OpenAI refuses an empty tools list
        }
        chat.set("tools", functions);
        JsonNode choice = request.path("tool_choice");
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

    /** {@code output_config.format} (or the older beta {@code output_format}) as OpenAI's {@code response_format}. */
    private static void outputFormat(JsonNode request, ObjectNode chat, Dropped dropped) {
        JsonNode config = request.path("output_config");
        config.fieldNames().forEachRemaining(f -> {
            if (!f.equals("format")) {
                dropped.add("output_config." + f);
            }
        });
        JsonNode format = config.has("format") ? config.get("format") : request.path("output_format");
        if (format.isMissingNode() || format.isNull()) {
            return;
        }
        if (!"json_schema".equals(format.path("type").asText()) || !format.path("schema").isObject()) {
            dropped.add("output format '" + format.path("type").asText() + "'");
            return;
        }
        // Not strict: OpenAI's strict mode refuses schemas Anthropic takes; the schema still guides the model.
        chat.putObject("response_format").put("type", "json_schema").putObject("json_schema")
                .put("name", "output").set("schema", format.get("schema"));
    }

    private static void assistant(JsonNode content, ArrayNode out, Dropped dropped) {
        if (content == null || content.isNull() || content.isTextual()) {
            out.addObject().put("role", "assistant").put("content", content == null ? "" : content.asText());
            return;
        }
        StringBuilder text = new StringBuilder();
        ArrayNode calls = NODES.arrayNode();
        for (JsonNode block : content) {
            dropped.noteCacheControl(block);
            switch (block.path("type").asText()) {
                case "text" -> {
                    text.append(block.path("text").asText());
                    dropped.noteCitations(block);
                }
                case "tool_use" -> {
                    ObjectNode call = calls.addObject();
                    call.put("id", block.path("id").asText());
                    call.put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText()).put("arguments",
                            Json.string(block.path("input").isObject() ? block.get("input") : NODES.objectNode()));
                }
                // thinking, redacted_thinking, server tool uses and their results are Anthropic's own
                default -> dropped.add("assistant block '" + block.path("type").asText() + "'");
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

    /**
     * Tool results first, as tool messages (they answer the previous turn and must follow it), then the
     * rest as one user message; images inside tool results go into that user message, since OpenAI's tool
     * messages hold text only.
     */
    private static void user(JsonNode content, ArrayNode out, Dropped dropped) {
        if (content == null || content.isNull() || content.isTextual()) {
            out.addObject().put("role", "user").put("content", content == null ? "" : content.asText());
            return;
        }
        ArrayNode parts = NODES.arrayNode();
        for (JsonNode block : content) {
            if ("tool_result".equals(block.path("type").asText())) {
                dropped.noteCacheControl(block);
                StringBuilder text = new StringBuilder();
                JsonNode result = block.get("content");
                if (result != null && result.isTextual()) {
                    text.append(result.asText());
                } else if (result != null) {
                    ArrayNode resultParts = NODES.arrayNode();
                    result.forEach(b -> part(b, resultParts, dropped));
                    for (JsonNode p : resultParts) {
                        if ("text".equals(p.path("type").asText())) {
                            appendLine(text, p.path("text").asText());
                        } else {
                            parts.add(p);
                        }
                    }
                }
                if (block.path("is_error").asBoolean(false)) {
                    text.insert(0, "Error: ");
                }
                out.addObject().put("role", "tool").put("tool_call_id", block.path("tool_use_id").asText())
                        .put("content", text.toString());
            } else {
                part(block, parts, dropped);
            }
        }
        if (!parts.isEmpty()) {
            out.addObject().put("role", "user").set("content", parts);
        }
    }

    /** A content block as chat content parts: text, images, documents and search results; others are dropped. */
    private static void part(JsonNode block, ArrayNode parts, Dropped dropped) {
        dropped.noteCacheControl(block);
        switch (block.path("type").asText()) {
            case "text" -> {
                parts.add(textPart(block.path("text").asText()));
                dropped.noteCitations(block);
            }
            case "image" -> {
                String url = imageUrl(block.path("source"));
                if (url == null) {
                    dropped.add("image source '" + block.path("source").path("type").asText() + "'");
                } else {
                    ObjectNode part = parts.addObject().put("type", "image_url");
                    part.putObject("image_url").put("url", url);
                }
            }
            case "document" -> document(block, parts, dropped);
            case "search_result" -> {
                StringBuilder text = new StringBuilder();
                appendLine(text, block.path("title").asText(""));
                appendLine(text, block.path("source").asText(""));
                for (JsonNode b : block.path("content")) {
                    appendLine(text, b.path("text").asText(""));
                }
                parts.add(textPart(text.toString()));
                dropped.noteCitations(block);
            }
            default -> dropped.add("block '" + block.path("type").asText() + "'");
        }
    }

    /** PDFs (base64) as OpenAI {@code file} parts; plain-text and content documents as their text and images. */
    private static void document(JsonNode block, ArrayNode parts, Dropped dropped) {
        JsonNode source = block.path("source");
        switch (source.path("type").asText()) {
            case "base64" -> {
                ObjectNode file = parts.addObject().put("type", "file").putObject("file");
                String title = block.path("title").asText("");
                file.put("filename", title.isEmpty() ? "document.pdf" : title);
                file.put("file_data", "data:" + source.path("media_type").asText("application/pdf") + ";base64,"
                        + source.path("data").asText());
            }
            case "text" -> parts.add(textPart(source.path("data").asText()));
            case "content" -> {
                JsonNode inner = source.path("content");
                if (inner.isTextual()) {
                    parts.add(textPart(inner.asText()));
                } else {
                    inner.forEach(b -> part(b, parts, dropped));
                }
            }
            default -> dropped.add("document source '" + source.path("type").asText() + "'");
        }
        if (block.has("context")) {
            dropped.add("document context");
        }
        dropped.noteCitations(block);
    }

    /** An image source as a URL: base64 as a {@code data:} URL, a link as it is; {@code null} for file ids. */
    private static String imageUrl(JsonNode source) {
        return switch (source.path("type").asText()) {
            case "base64" -> "data:" + source.path("media_type").asText() + ";base64," + source.path("data").asText();
            case "url" -> source.path("url").asText();
            default -> null;
        };
    }

    private static ObjectNode textPart(String text) {
        return NODES.objectNode().put("type", "text").put("text", text);
    }

    private static void appendLine(StringBuilder sb, String line) {
        if (!line.isEmpty()) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(line);
        }
    }

    /** A system prompt or system message: a string, or its text blocks joined by newlines. */
    private static String text(JsonNode content, Dropped dropped) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : content) {
            dropped.noteCacheControl(b);
            if ("text".equals(b.path("type").asText())) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(b.path("text").asText());
            } else {
                dropped.add("system block '" + b.path("type").asText() + "'");
            }
        }
        return sb.toString();
    }

    private static GatewayException invalid(String message) {
        return new GatewayException(GatewayError.badRequest("invalid_request_body", message));
    }

    /** The names of what the translation could not carry, logged once per request at debug. */
    private static final class Dropped {

        private final Set<String> names = logger.isDebugEnabled() ? new LinkedHashSet<>() : null;

        void add(String name) {
            if (names != null) {
                names.add(name);
            }
        }

        void noteCacheControl(JsonNode block) {
            if (names != null && block.has("cache_control")) {
                names.add("cache_control");
            }
        }

        void noteCitations(JsonNode block) {
            if (names != null && block.has("citations")) {
                names.add("citations");
            }
        }

        void log() {
            if (names != null && !names.isEmpty()) {
                logger.debug("/v1/messages request in the chat form without what it cannot express: {}",
                        String.join(", ", names));
            }
        }
    }
}
