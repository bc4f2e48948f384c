package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one shared {@link ObjectMapper}: thread-safe once configured, and costly to create. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, false);

    private Json() {}

    public static JsonNode parse(byte[] bytes) throws IOException {
        return MAPPER.readTree(bytes);
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String string(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether {@code b[from, to)}, a JSON text, has a field named one of {@code names} (at any depth) whose
     * value is not {@code null}: found in one pass over the bytes, without parsing. A key is a quoted name
     * after {@code {} or {@code ,} and before {@code :}; the same text inside a string value cannot look so
     * (its quotes are escaped there), so the answer is exact for well-formed JSON. For text that is not JSON
     * it may be {@code true} where a parser finds nothing. The names must be ASCII and need no escaping.
     */
    public static boolean hasAnyField(byte[] b, int from, int to, String... names) {
        int quote = ByteScan.indexOf(b, from, to, (byte) '"');
        while (quote >= 0) {
            byte previous = previousNonSpace(b, from, quote);
            if ((previous == '{' || previous == ',') && isNonNullKey(b, quote, to, names)) {
                return true;
            }
            quote = ByteScan.indexOf(b, quote + 1, to, (byte) '"');
        }
        return false;
    }

    /** The last byte before {@code at} that is not white space, or 0. */
    private static byte previousNonSpace(byte[] b, int from, int at) {
        for (int i = at - 1; i >= from; i--) {
            if (!isSpace(b[i])) {
                return b[i];
            }
        }
        return 0;
    }

    private static boolean isNonNullKey(byte[] b, int quote, int to, String[] names) {
        for (String name : names) {
            int close = quote + name.length() + 1;
            if (close >= to || b[close] != '"' || !matches(b, quote + 1, name)) {
                continue;
            }
            int j = skipSpace(b, close + 1, to);
            if (j >= to || b[j] != ':') {
                continue;
            }
            j = skipSpace(b, j + 1, to);
            boolean isNull = j + 3 < to && b[j] == 'n' && b[j + 1] == 'u' && b[j + 2] == 'l' && b[j + 3] == 'l';
            if (j < to && !isNull) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] b, int at, String name) {
        for (int k = 0; k < name.length(); k++) {
            if (b[at + k] != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static int skipSpace(byte[] b, int i, int to) {
        while (i < to && isSpace(b[i])) {
            i++;
        }
        return i;
    }
}
