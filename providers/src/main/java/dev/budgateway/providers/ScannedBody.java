package dev.budgateway.providers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Key;
import java.io.IOException;
import java.util.Arrays;

/**
 * A client's JSON body read without building a tree: checked as the request parser checks it, with what the
 * gateway needs ({@code model}, {@code stream}) and where {@code model}'s value lies, so that a body nobody
 * changed goes upstream as the client's bytes with only the model name spliced in. At 100 KB that is a
 * streaming pass instead of a tree built and written again.
 *
 * @param bytes the client's body, as it came
 * @param model the {@code model} the client asked for
 * @param modelStart where {@code model}'s string value (its opening quote) begins in {@code bytes}
 * @param modelEnd where it ends (after its closing quote)
 * @param open where the body's opening brace is
 * @param includesUsage whether the client asked for a stream's usage ({@code stream_options.include_usage})
 */
public record ScannedBody(byte[] bytes, String model, boolean stream, int modelStart, int modelEnd, int open,
        boolean includesUsage) {

    /** Set by the endpoint on an exchange whose body it scanned; good while the body is untouched. */
    public static final Key<ScannedBody> KEY = Key.of("scanned-body", ScannedBody.class);

    private static final JsonFactory FACTORY = Json.MAPPER.getFactory();
    private static final byte[] INCLUDE_USAGE = "\"stream_options\":{\"include_usage\":true},"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The fields whose value the gateway reads: given twice, they would be read differently upstream. */
    private static final String[] READ = {"model", "stream", "stream_options", "messages", "prompt", "input"};

    /**
     * The body scanned, or {@code null} when it must be read whole instead: another endpoint, anything the
     * request parser would refuse (it then says why), a field the gateway reads given twice, a
     * {@code stream_options} that does not ask for usage (the gateway would have to add it), or anything
     * after the object.
     */
    public static ScannedBody scan(ApiEndpoint endpoint, byte[] bytes) {
        if (endpoint != ApiEndpoint.CHAT && endpoint != ApiEndpoint.COMPLETIONS && endpoint != ApiEndpoint.EMBEDDING) {
            return null;
        }
        try (JsonParser p = FACTORY.createParser(bytes)) {
            return scan(endpoint, bytes, p);
        } catch (IOException | RuntimeException e) {
            return null; // the parser says what is wrong, in the client's words
        }
    }

    private static ScannedBody scan(ApiEndpoint endpoint, byte[] bytes, JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        int open = (int) p.currentTokenLocation().getByteOffset();
        String model = null;
        int modelStart = -1;
        boolean stream = false;
        boolean streamOptions = false;
        boolean[] seen = new boolean[READ.length];
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            int read = indexOf(name);
            if (read >= 0) {
                if (seen[read]) {
                    return null;
                }
                seen[read] = true;
            }
            boolean ok = switch (name) {
                case "model" -> {
                    model = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    modelStart = (int) p.currentTokenLocation().getByteOffset();
                    yield model != null && !model.isEmpty();
                }
                case "stream" -> {
                    stream = value == JsonToken.VALUE_TRUE;
                    yield value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE
                            || value == JsonToken.VALUE_NULL;
                }
                case "stream_options" -> streamOptions = includesUsage(p, value);
                case "messages" -> endpoint != ApiEndpoint.CHAT ? skip(p) : messages(p, value);
                case "prompt" -> (endpoint != ApiEndpoint.COMPLETIONS || value != JsonToken.VALUE_NULL) && skip(p);
                case "input" -> (endpoint != ApiEndpoint.EMBEDDING || value == JsonToken.VALUE_STRING
                        || value == JsonToken.START_ARRAY) && skip(p);
                default -> skip(p);
            };
            if (!ok) {
                return null;
            }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null || model == null
                || !seen[indexOf(requiredField(endpoint))]) {
            return null;
        }
        int modelEnd = endOfString(bytes, modelStart);
        if (bytes[open] != '{' || bytes[modelStart] != '"' || modelEnd < 0) {
            return null;
        }
        return new ScannedBody(bytes, model, stream, modelStart, modelEnd, open, streamOptions);
    }

    private static String requiredField(ApiEndpoint endpoint) {
        return switch (endpoint) {
            case CHAT -> "messages";
            case COMPLETIONS -> "prompt";
            default -> "input";
        };
    }

    private static int indexOf(String name) {
        for (int i = 0; i < READ.length; i++) {
            if (READ[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean skip(JsonParser p) throws IOException {
        p.skipChildren();
        return true;
    }

    /** A non-empty array of objects that each have a string {@code role} (the last one, if given twice). */
    private static boolean messages(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            return false;
        }
        int count = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                return false;
            }
            boolean role = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("role")) {
                    role = v == JsonToken.VALUE_STRING;
                }
                p.skipChildren();
            }
            if (!role) {
                return false;
            }
            count++;
        }
        return count > 0;
    }

    /** An object whose {@code include_usage} is {@code true}. */
    private static boolean includesUsage(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            return false;
        }
        boolean usage = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("include_usage")) {
                usage = v == JsonToken.VALUE_TRUE;
            }
            p.skipChildren();
        }
        return usage;
    }

    /** The offset after the closing quote of the JSON string whose opening quote is at {@code start}; -1 if none. */
    private static int endOfString(byte[] b, int start) {
        for (int i = start + 1; i < b.length; i++) {
            if (b[i] == '\\') {
                i++;
            } else if (b[i] == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * The body for the upstream: the client's bytes with {@code modelName} (when not {@code null}) as the
     * model, and, when {@code forceUsage} and the client did not ask, {@code stream_options.include_usage}
     * added first. The client's own bytes, not copied, when nothing changes.
     */
    public byte[] forUpstream(String modelName, boolean forceUsage) {
        boolean addUsage = forceUsage && !includesUsage;
        byte[] name = modelName == null || modelName.equals(model) ? null : jsonString(modelName);
        if (!addUsage && name == null) {
            return bytes;
        }
        byte[] value = name == null ? Arrays.copyOfRange(bytes, modelStart, modelEnd) : name;
        byte[] insert = addUsage ? INCLUDE_USAGE : new byte[0];
        byte[] out = new byte[bytes.length + insert.length + value.length - (modelEnd - modelStart)];
        int at = 0;
        at = put(out, at, bytes, 0, open + 1);
        at = put(out, at, insert, 0, insert.length);
        at = put(out, at, bytes, open + 1, modelStart);
        at = put(out, at, value, 0, value.length);
        put(out, at, bytes, modelEnd, bytes.length);
        return out;
    }

    /** A JSON string, quoted and escaped: Jackson's encoder without a generator and its buffers behind it. */
    private static byte[] jsonString(String value) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] out = new byte[escaped.length + 2];
        out[0] = '"';
        System.arraycopy(escaped, 0, out, 1, escaped.length);
        out[out.length - 1] = '"';
        return out;
    }

    private static int put(byte[] out, int at, byte[] from, int start, int end) {
        System.arraycopy(from, start, out, at, end - start);
        return at + end - start;
    }
}
