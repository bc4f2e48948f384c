package dev.budgateway.providers.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** Reading the parts of an OpenAI chat request that every translation to another API needs. */
public final class ChatFields {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ChatFields() {}

    /** An inline image: {@code data:<mediaType>;base64,<data>}. */
    public record DataUrl(String mediaType, String data) {}

    /**
     * The image in a {@code data:} URL, or {@code null} when {@code url} is an ordinary URL.
     *
     * @throws GatewayException (400) for a data URL that is not base64
     */
    public static DataUrl dataUrl(String url) {
        if (!url.startsWith("data:")) {
            return null;
        }
        int comma = url.indexOf(',');
        String meta = comma < 0 ? "" : url.substring(5, comma);
        if (comma < 0 || !meta.endsWith(";base64")) {
            throw new GatewayException(GatewayError.badRequest("invalid_image_url",
                    "Data URLs (images, files) must be base64: data:<media type>;base64,<data>"));
        }
        return new DataUrl(meta.substring(0, meta.length() - ";base64".length()), url.substring(comma + 1));
    }

    /** The URL of an {@code image_url} content part (an object with {@code url}, or a bare string). */
    public static String imageUrl(JsonNode part) {
        JsonNode image = part.path("image_url");
        return image.isTextual() ? image.asText() : image.path("url").asText();
    }

    /**
     * A tool call's arguments as an object: OpenAI sends them as a JSON string, the other APIs as an object.
     *
     * @throws GatewayException (400) when they are not a JSON object
     */
    public static ObjectNode arguments(JsonNode arguments) {
        if (arguments instanceof ObjectNode o) {
            return o;
        }
        String text = arguments.asText("");
        if (text.isBlank()) {
            return NODES.objectNode();
        }
        try {
            if (Json.parse(text.getBytes(StandardCharsets.UTF_8)) instanceof ObjectNode parsed) {
                return parsed;
            }
        } catch (IOException e) {
            // Reported below.
        }
        throw new GatewayException(GatewayError.badRequest("invalid_tool_arguments",
                "Tool call arguments must be a JSON object"));
    }

    /** {@code stop} (a string or a list) as a list of sequences, or {@code null} when absent. */
    public static ArrayNode stopSequences(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return null;
        }
        ArrayNode seqs = NODES.arrayNode();
        if (stop.isArray()) {
            stop.forEach(s -> seqs.add(s.asText()));
        } else {
            seqs.add(stop.asText());
        }
        return seqs;
    }

    /**
     * Appends a turn, merging it into the previous one when both have the same role: Anthropic, Gemini and
     * Bedrock want user and assistant turns to alternate.
     *
     * @param partsField the name of the turn's list of parts ({@code content}, {@code parts})
     */
    public static void appendTurn(ArrayNode turns, String role, String partsField, ArrayNode parts) {
        JsonNode last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ((ArrayNode) last.get(partsField)).addAll(parts);
            return;
        }
        ObjectNode turn = turns.addObject();
        turn.put("role", role);
        turn.set(partsField, parts);
    }

    /** The inline file of an OpenAI {@code file} content part: a document such as a PDF. */
    public record InlineFile(String filename, DataUrl data) {}

    /**
     * A message's content (a string, or a list of text, image and file parts) as the provider's list of
     * parts. Empty for no content.
     *
     * @param text makes the provider's part for a text
     * @param image makes the provider's part for an image URL (a {@code data:} URL or a link)
     * @param file makes the provider's part for an inline file (a document)
     * @throws GatewayException (400) for a part of another type (audio), or a file given by id
     */
    public static ArrayNode parts(JsonNode content, Function<String, ObjectNode> text,
            Function<String, ObjectNode> image, Function<InlineFile, ObjectNode> file) {
        ArrayNode parts = NODES.arrayNode();
        if (content == null || content.isNull()) {
            return parts;
        }
        if (content.isTextual()) {
            if (!content.asText().isEmpty()) {
                parts.add(text.apply(content.asText()));
            }
            return parts;
        }
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text" -> parts.add(text.apply(part.path("text").asText()));
                case "image_url" -> parts.add(image.apply(imageUrl(part)));
                case "file" -> parts.add(file.apply(inlineFile(part.path("file"))));
                default -> throw unsupported(part.path("type").asText());
            }
        }
        return parts;
    }

    private static InlineFile inlineFile(JsonNode file) {
        DataUrl data = file.path("file_data").isTextual() ? dataUrl(file.get("file_data").asText()) : null;
        if (data == null) {
            throw unsupported("file (by file_id or URL)");
        }
        return new InlineFile(file.path("filename").asText("document"), data);
    }

    private static GatewayException unsupported(String type) {
        return new GatewayException(GatewayError.badRequest("unsupported_content",
                "Content part type '" + type + "' is not supported by this model"));
    }

    /** Copies {@code from.field} to {@code to.as} when it is there and not null. */
    public static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode v = from.get(field);
        if (v != null && !v.isNull()) {
            to.set(as, v);
        }
    }

    /** Logs, at debug, each request field a translation had no place for. */
    public static void logDropped(org.slf4j.Logger logger, JsonNode request, java.util.Set<String> handled,
            String api) {
        if (logger.isDebugEnabled()) {
            request.fieldNames().forEachRemaining(f -> {
                if (!handled.contains(f)) {
                    logger.debug("Dropped request field '{}': {} has no equivalent", f, api);
                }
            });
        }
    }

    /** The text of a message's content: a string, or the text parts of a list joined. */
    public static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        content.forEach(p -> sb.append(p.path("text").asText()));
        return sb.toString();
    }
}
