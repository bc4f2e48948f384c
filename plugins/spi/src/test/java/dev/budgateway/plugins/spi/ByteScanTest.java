package dev.budgateway.plugins.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time search against a byte-at-a-time one, on every length, offset and byte value. */
class ByteScanTest {

    private static int naive(byte[] b, int from, int to, byte x, byte y) {
        for (int i = from; i < to; i++) {
            if (b[i] == x || b[i] == y) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void findsWhatALoopFindsForEveryByteValueAndPlace() {
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            // Few distinct values, high bytes among them, so that matches, neighbours of matches (v±1, where a
            // borrow marks falsely) and bytes above 0x7f all occur often.
            byte[] alphabet = {0, 1, '\n', '\r', '\n' + 1, '\r' - 1, '"', (byte) 0x80, (byte) 0xff, (byte) 0x8a, 'a'};
            for (int i = 0; i < b.length; i++) {
                b[i] = alphabet[random.nextInt(alphabet.length)];
            }
            int from = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            int to = from + random.nextInt(b.length - from + 1);
            byte x = alphabet[random.nextInt(alphabet.length)];
            byte y = alphabet[random.nextInt(alphabet.length)];
            assertEquals(naive(b, from, to, x, x), ByteScan.indexOf(b, from, to, x));
            assertEquals(naive(b, from, to, x, y), ByteScan.indexOfEither(b, from, to, x, y));
        }
    }

    /** The first one-pass scan, kept as the reference for the colon-to-colon one. */
    private static boolean referenceHasAnyField(byte[] b, String... names) {
        byte previous = 0;
        for (int i = 0; i < b.length; i++) {
            byte c = b[i];
            if (c == '"' && (previous == '{' || previous == ',')) {
                for (String name : names) {
                    String key = "\"" + name + "\"";
                    String rest = new String(b, i, b.length - i, StandardCharsets.ISO_8859_1);
                    if (rest.startsWith(key)) {
                        String after = rest.substring(key.length()).stripLeading();
                        if (after.startsWith(":")) {
                            String value = after.substring(1).stripLeading();
                            if (!value.isEmpty() && !value.startsWith("null")) {
                                return true;
                            }
                        }
                    }
                }
            }
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                previous = c;
            }
        }
        return false;
    }

    @Test
    void hasAnyFieldAnswersAsTheOnePassScanDid() {
        String[] pieces = {"{", "}", ",", ":", " ", "\n", "\"usage\"", "\"error\"", "\"x\"", "null", "1", "\"a\\\"b\"",
            "[", "]", "\"finish_reason\"", "\"é\""};
        Random random = new Random(11);
        for (int round = 0; round < 50_000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(14);
            for (int i = 0; i < n; i++) {
                sb.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            String[] names = {"usage", "finish_reason", "error"};
            assertEquals(referenceHasAnyField(b, names), Json.hasAnyField(b, 0, b.length, names), sb.toString());
        }
        byte[] real = ("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"say \\\"usage\\\": 1\"},"
                + "\"finish_reason\":null}]}").getBytes(StandardCharsets.UTF_8);
        assertEquals(false, Json.hasAnyField(real, 0, real.length, "usage", "finish_reason", "error"));
        byte[] last = "{\"choices\":[],\"usage\" : {\"prompt_tokens\":9}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(true, Json.hasAnyField(last, 0, last.length, "usage"));
    }

    @Test
    void fieldNamesAreTheBytesOfPlainAsciiNames() {
        byte[] b = "{\"a\":{\"usage\":1}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(true, Json.hasAnyField(b, 0, b.length, Json.FieldNames.of("error", "usage")));
        assertEquals(false, Json.hasAnyField(b, 0, b.length, Json.FieldNames.of("sage", "error")));
        for (String bad : new String[] {"", "a\"b", "a\\b", "é"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.FieldNames.of(bad), bad);
        }
    }
}
