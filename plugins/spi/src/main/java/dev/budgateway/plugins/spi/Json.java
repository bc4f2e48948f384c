package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
     * value is not {@code null}: found in one pass over the bytes, without parsing. A field is a colon whose
     * key, read backwards from it, is a quoted name after {@code {} or {@code ,}; the same text inside a
     * string value cannot look so (its quotes are escaped there), so the answer is exact for well-formed
     * JSON. For text that is not JSON it may be {@code true} where a parser finds nothing. The names must be
     * ASCII and need no escaping.
     */
    public static boolean hasAnyField(byte[] b, int from, int to, String... names) {
        return hasAnyField(b, from, to, FieldNames.of(names));
    }

    /**
     * {@link #hasAnyField(byte[], int, int, String...)} with the names prepared once. Every streamed event is
     * asked this, so it looks only at colons, one per key, and at most one byte of most keys.
     */
    public static boolean hasAnyField(byte[] b, int from, int to, FieldNames names) {
        int colon = ByteScan.indexOf(b, from, to, (byte) ':');
        while (colon >= 0) {
            int close = colon - 1;
            while (close >= from && isSpace(b[close])) {
                close--;
            }
            if (close > from && b[close] == '"' && names.endsIn(b[close - 1])
                    && isNonNullField(b, from, to, close, colon, names)) {
                return true;
            }
            colon = ByteScan.indexOf(b, colon + 1, to, (byte) ':');
        }
        return false;
    }

    /** Names of JSON fields to look for with {@link #hasAnyField}, as bytes. */
    public static final class FieldNames {
        private final byte[][] names;
        /** The names' last bytes, as a set: most keys are told apart by that byte alone. */
        private final long[] lastBytes = new long[2];

        private FieldNames(byte[][] names) {
            this.names = names;
            for (byte[] name : names) {
                int last = name[name.length - 1];
                lastBytes[last >>> 6] |= 1L << last;
            }
        }

        /** @param names ASCII names needing no escaping in JSON */
        public static FieldNames of(String... names) {
            byte[][] bytes = new byte[names.length][];
            for (int i = 0; i < names.length; i++) {
                if (!isPlainAscii(names[i])) {
                    throw new IllegalArgumentException("not a plain ASCII field name: " + names[i]);
                }
                bytes[i] = names[i].getBytes(StandardCharsets.US_ASCII);
            }
            return new FieldNames(bytes);
        }

        private static boolean isPlainAscii(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                    return false;
                }
            }
            return !name.isEmpty();
        }

        boolean endsIn(byte b) {
            return b >= 0 && (lastBytes[b >>> 6] & (1L << b)) != 0;
        }
    }

    /** Whether the key that closes at {@code close} is one of {@code names}, and its value is not null. */
    private static boolean isNonNullField(byte[] b, int from, int to, int close, int colon, FieldNames fields) {
        for (byte[] name : fields.names) {
            int open = close - name.length - 1;
            if (open < from || b[open] != '"' || !Arrays.equals(b, open + 1, close, name, 0, name.length)) {
                continue;
            }
            byte previous = previousNonSpace(b, from, open);
            if (previous != '{' && previous != ',') {
                continue;
            }
            int j = skipSpace(b, colon + 1, to);
            boolean isNull = j + 3 < to && b[j] == 'n' && b[j + 1] == 'u' && b[j + 2] == 'l' && b[j + 3] == 'l';
            return j < to && !isNull;
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
