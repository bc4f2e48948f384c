package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One unit of a response on its way to the client: one SSE event of a stream, or the whole body of a
 * unary response. The payload is kept as the upstream sent it and parsed only when a filter asks,
 * so an untouched chunk is forwarded byte for byte. Immutable: changes return a new chunk.
 */
public final class Chunk {

    /** The payload, or for {@link #frames} the read they lie in, from {@link #offset} for {@link #length}. */
    private final byte[] data;
    private final int offset;
    private final int length;
    /** For {@link #frames}: how many events they hold. */
    private final int events;
    /** {@link #data()} of frames that are a part of a read, copied out on first use. */
    private byte[] copied;
    private final boolean unary;
    private final boolean frames;
    private final String eventName;
    private JsonNode json;
    /** The last {@link #hasField} question and its answer: a one-entry cache, not part of the value. */
    private String lastField;
    private boolean lastFieldFound;
    /** {@link #usage()} once known: read with the bytes by whoever made the chunk, or from {@link #json()}. */
    private Usage usage;
    private boolean usageKnown;
    private boolean usageOnly;
    /** 0 before {@link #readTopLevel()}, 1 when it answered, -1 when the tree must. */
    private byte topLevel;

    private Chunk(byte[] data, boolean unary, String eventName, JsonNode json) {
        this(data, unary, false, eventName, json);
    }

    private Chunk(byte[] data, boolean unary, boolean frames, String eventName, JsonNode json) {
        this(data, 0, data.length, 0, unary, frames, eventName, json);
    }

    private Chunk(byte[] data, int offset, int length, int events, boolean unary, boolean frames,
            String eventName, JsonNode json) {
        this.data = data;
        this.offset = offset;
        this.length = length;
        this.events = events;
        this.unary = unary;
        this.frames = frames;
        this.eventName = eventName;
        this.json = json;
    }

    /** One event of a stream, its {@code data:} payload in UTF-8. */
    public static Chunk event(byte[] data) {
        return new Chunk(data, false, null, null);
    }

    /** One event of a stream, from a JSON tree. */
    public static Chunk event(JsonNode json) {
        return new Chunk(Json.bytes(json), false, null, json);
    }

    /**
     * One named event of a stream ({@code event: name}), as the Responses and Anthropic APIs send them.
     *
     * @param name the event name, or {@code null} for none
     */
    public static Chunk event(String name, byte[] data) {
        return new Chunk(data, false, name, null);
    }

    public static Chunk event(String name, JsonNode json) {
        return new Chunk(Json.bytes(json), false, name, json);
    }

    /** Raw bytes of a non-JSON body (audio, an image), passed through as they are. */
    public static Chunk bytes(byte[] data) {
        return new Chunk(data, true, null, com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    /**
     * Whole events of a stream exactly as the upstream framed them ({@code data:} lines, blank lines and
     * all), to go out as they came: what a stream sends, instead of one chunk per event, for events nobody
     * needs to read (no usage, no finish, no error), and only to a subscriber that
     * {@link ChunkSubscriber#takesFrames() takes frames}. It has no JSON, text or usage of its own.
     *
     * @param events how many events the bytes hold
     */
    public static Chunk frames(byte[] wire, int events) {
        return frames(wire, 0, wire.length, events);
    }

    /**
     * {@link #frames(byte[], int)} that are the part {@code [from, to)} of an upstream's read, without a copy:
     * most reads end inside an event, which is held back for the next. Do not modify the read afterwards.
     */
    public static Chunk frames(byte[] read, int from, int to, int events) {
        java.util.Objects.checkFromToIndex(from, to, read.length);
        if (events < 0) {
            throw new IllegalArgumentException("events: " + events);
        }
        return new Chunk(read, from, to - from, events, false, true, null,
                com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    /** The whole body of a unary (non-streaming) JSON response. */
    public static Chunk unary(byte[] body) {
        return new Chunk(body, true, null, null);
    }

    /**
     * The whole body of a unary JSON response whose usage was read with its bytes (in the same pass that checked
     * its shape): {@link #usage()} answers without a parse.
     */
    public static Chunk unary(byte[] body, Usage usage) {
        Chunk chunk = new Chunk(body, true, null, null);
        chunk.usage = java.util.Objects.requireNonNull(usage, "usage");
        chunk.usageKnown = true;
        return chunk;
    }

    public static Chunk unary(JsonNode json) {
        return new Chunk(Json.bytes(json), true, null, json);
    }

    /** The SSE {@code event:} name, or {@code null} when the event has none (OpenAI chat streams). */
    public String eventName() {
        return eventName;
    }

    /** The payload bytes; do not modify. */
    public byte[] data() {
        if (offset == 0 && length == data.length) {
            return data;
        }
        byte[] c = copied;
        if (c == null) {
            c = java.util.Arrays.copyOfRange(data, offset, offset + length);
            copied = c;
        }
        return c;
    }

    /**
     * The array the payload lies in, from {@link #offset()} for {@link #length()} bytes: {@link #data()}
     * without the copy it may need (frames that are a part of a read). Do not modify.
     */
    public byte[] array() {
        return data;
    }

    public int offset() {
        return offset;
    }

    /** The payload's size in bytes. */
    public int length() {
        return length;
    }

    public String dataAsString() {
        return new String(data, offset, length, StandardCharsets.UTF_8);
    }

    public boolean isUnary() {
        return unary;
    }

    /**
     * How many events {@link #frames} hold (comments and blank lines are not events); 1 for any other chunk of
     * a stream, which is one event.
     */
    public int events() {
        return frames ? events : 1;
    }

    /** Whether this is {@link #frames} of a stream: its {@link #data()} is wire bytes, not a payload. */
    public boolean isFrames() {
        return frames;
    }

    /**
     * The payload as JSON, parsed on first use; a missing node when it is not JSON. Read it, do not change
     * it: what reaches the client is {@link #data()}. To change a chunk, {@link #edit} it.
     */
    public JsonNode json() {
        JsonNode j = json;
        if (j == null) {
            try {
                j = Json.parse(data);
            } catch (IOException e) {
                j = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            json = j;
        }
        return j;
    }

    /**
     * A copy whose JSON payload is changed by {@code change} (applied to a copy of {@link #json()}); this
     * chunk when the payload is not a JSON object. The one way to edit a chunk: the copy's bytes are the
     * edited tree.
     */
    public Chunk edit(Consumer<ObjectNode> change) {
        if (!(json() instanceof ObjectNode o)) {
            return this;
        }
        ObjectNode copy = o.deepCopy();
        change.accept(copy);
        return withJson(copy);
    }

    /** A chunk of the same kind and event name with {@code json} as its payload. */
    public Chunk withJson(JsonNode json) {
        return new Chunk(Json.bytes(json), unary, eventName, json);
    }

    /**
     * The generated text this chunk carries: a chat delta's or message's content, or a completion's text
     * (first choice); a Responses stream's {@code response.output_text.delta}, or a Responses body's
     * {@code output_text} parts joined; an Anthropic stream's {@code text_delta}, or a Messages body's text
     * blocks joined. {@code null} when it carries none.
     */
    public String text() {
        JsonNode j = json();
        String type = j.path("type").asText(null);
        if (RESPONSES_TEXT_DELTA.equals(type)) {
            JsonNode delta = j.path("delta");
            return delta.isTextual() ? delta.asText() : null;
        }
        if (ANTHROPIC_DELTA.equals(type)) {
            JsonNode delta = j.path("delta");
            return "text_delta".equals(delta.path("type").asText()) ? delta.path("text").asText() : null;
        }
        if (unary && (j.path("output").isArray() || (ANTHROPIC_MESSAGE.equals(type) && j.path("content").isArray()))) {
            StringBuilder sb = null;
            for (JsonNode part : textParts(j)) {
                sb = sb == null ? new StringBuilder() : sb;
                sb.append(part.path("text").asText());
            }
            return sb == null ? null : sb.toString();
        }
        JsonNode choice = j.path("choices").path(0);
        JsonNode content = unary ? choice.path("message").path("content") : choice.path("delta").path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        JsonNode text = choice.path("text");
        return text.isTextual() ? text.asText() : null;
    }

    /**
     * A copy that carries {@code text} instead, in the same place {@link #text()} read it from; this chunk
     * if it carries no text, or (a Responses body) its text is spread over several parts.
     */
    public Chunk withText(String text) {
        if (text() == null || !json().isObject()) {
            return this;
        }
        ObjectNode copy = ((ObjectNode) json()).deepCopy();
        String type = copy.path("type").asText(null);
        if (RESPONSES_TEXT_DELTA.equals(type)) {
            copy.put("delta", text);
            return withJson(copy);
        }
        if (ANTHROPIC_DELTA.equals(type)) {
            ((ObjectNode) copy.get("delta")).put("text", text);
            return withJson(copy);
        }
        if (unary && (copy.path("output").isArray() || ANTHROPIC_MESSAGE.equals(type))) {
            List<ObjectNode> parts = textParts(copy);
            if (parts.size() != 1) {
                return this;
            }
            parts.get(0).put("text", text);
            return withJson(copy);
        }
        ObjectNode choice = (ObjectNode) copy.path("choices").path(0);
        JsonNode holder = unary ? choice.path("message") : choice.path("delta");
        if (holder.isObject() && holder.has("content")) {
            ((ObjectNode) holder).put("content", text);
        } else {
            choice.put("text", text);
        }
        return withJson(copy);
    }

    private static final String RESPONSES_TEXT_DELTA = "response.output_text.delta";
    private static final String ANTHROPIC_DELTA = "content_block_delta";
    private static final String ANTHROPIC_MESSAGE = "message";

    /** The text parts of a body: a Responses body's {@code output_text} parts, or a Messages body's text blocks. */
    private static List<ObjectNode> textParts(JsonNode body) {
        List<ObjectNode> parts = new ArrayList<>();
        if (ANTHROPIC_MESSAGE.equals(body.path("type").asText(null))) {
            for (JsonNode block : body.path("content")) {
                if (block instanceof ObjectNode o && "text".equals(o.path("type").asText())) {
                    parts.add(o);
                }
            }
            return parts;
        }
        for (JsonNode item : body.path("output")) {
            for (JsonNode part : item.path("content")) {
                if (part instanceof ObjectNode o && "output_text".equals(o.path("type").asText())) {
                    parts.add(o);
                }
            }
        }
        return parts;
    }

    /**
     * The usage this chunk reports, if any: the final chunk of a chat stream, a unary body, a Responses
     * stream's {@code response.completed} event, or an Anthropic stream's {@code message_start} and
     * {@code message_delta}.
     */
    public Usage usage() {
        if (usageKnown) {
            return usage;
        }
        if (json == null && readTopLevel()) {
            return usage; // a chat or completion stream's usage event, read without a tree
        }
        JsonNode j = json();
        JsonNode node = j.get("usage");
        if (node == null && j.path("response").isObject()) {
            node = j.get("response").get("usage");
        }
        if (node == null && j.path("message").isObject()) {
            node = j.get("message").get("usage"); // an Anthropic message_start
        }
        Usage u = Usage.fromOpenAi(node);
        usage = u;
        usageKnown = true;
        return u;
    }

    /**
     * Whether the payload has a field {@code name} (at any depth) whose value is not {@code null}, found by
     * a scan of the bytes, without parsing: what lets the gateway pass an event nobody reads as it came.
     * A field name inside a string value cannot match (its quotes are escaped there), so the answer is
     * exact for well-formed JSON; for a payload that is not JSON it may be {@code true} where
     * {@link #json()} has nothing.
     */
    public boolean hasField(String name) {
        if (name.equals(lastField)) {
            return lastFieldFound; // the gateway asks about usage twice per event
        }
        if (frames) {
            return false; // frames are sent on only when nobody needs to read them
        }
        if (usage != null && name.equals("usage")) {
            return true; // read already: a whole answer's usage, read with its shape, is not scanned for again
        }
        boolean found = Json.hasAnyField(data, 0, data.length, fieldNames(name));
        lastField = name;
        lastFieldFound = found;
        return found;
    }

    private static final Json.FieldNames USAGE = Json.FieldNames.of("usage");
    private static final Json.FieldNames FINISH_REASON = Json.FieldNames.of("finish_reason");

    /** The names the gateway asks about for every event it decodes, prepared once. */
    private static Json.FieldNames fieldNames(String name) {
        return switch (name) {
            case "usage" -> USAGE;
            case "finish_reason" -> FINISH_REASON;
            default -> Json.FieldNames.of(name);
        };
    }

    /** Whether this is a stream's usage-only chunk: usage and no choices. */
    public boolean isUsageOnly() {
        if (unary || !hasField("usage")) {
            return false; // most events: decided without parsing
        }
        if (json == null && readTopLevel()) {
            return usageOnly;
        }
        JsonNode j = json();
        JsonNode choices = j.path("choices");
        return j.hasNonNull("usage") && (choices.isMissingNode() || choices.isEmpty());
    }

    /**
     * One pass over a payload with a top-level {@code usage}, for {@link #usage()} and {@link #isUsageOnly()}
     * as the tree would answer them, without the tree: {@code false} when it has none there (the usage may be
     * nested, as in an Anthropic {@code message_start}) or is not a JSON object, and the tree must answer.
     */
    private boolean readTopLevel() {
        if (topLevel == 0) {
            topLevel = readTopLevel0() ? (byte) 1 : (byte) -1;
        }
        return topLevel == 1;
    }

    private boolean readTopLevel0() {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(data, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean hasUsage = false;
            boolean usageNonNull = false;
            Usage read = null;
            boolean choicesEmpty = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("usage")) {
                    hasUsage = true;
                    usageNonNull = value != JsonToken.VALUE_NULL;
                    read = value == JsonToken.START_OBJECT ? Usage.read(p) : null;
                    continue;
                }
                if (name.equals("choices")) {
                    choicesEmpty = isEmpty(p, value);
                } else {
                    p.skipChildren();
                }
            }
            if (!hasUsage || p.currentToken() != JsonToken.END_OBJECT) {
                return false;
            }
            usage = read;
            usageKnown = true;
            usageOnly = usageNonNull && choicesEmpty;
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** As {@code JsonNode.isEmpty()}: a scalar, or a container without elements. Leaves the parser on its end. */
    private static boolean isEmpty(JsonParser p, JsonToken value) throws IOException {
        if (!value.isStructStart() || p.nextToken().isStructEnd()) {
            return true;
        }
        do {
            p.skipChildren();
        } while (!p.nextToken().isStructEnd());
        return false;
    }

    @Override
    public String toString() {
        return (unary ? "unary:" : frames ? "frames:" : "event:") + dataAsString();
    }
}
