package dev.budgateway.providers.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    private static List<String> decode(byte[] input, int... cuts) {
        List<String> out = new ArrayList<>();
        SseDecoder d = new SseDecoder(e -> out.add((e.event() == null ? "" : e.event() + "|")
                + new String(e.data(), StandardCharsets.UTF_8)));
        int from = 0;
        for (int cut : cuts) {
            d.feed(input, from, cut - from);
            from = cut;
        }
        d.feed(input, from, input.length - from);
        d.finish();
        return out;
    }

    @Test
    void everySplitPointGivesTheSameEvents() {
        String text = ": comment\r\ndata: {\"a\":\"Grüße 世界 🚀\"}\r\n\r\nevent: message_start\ndata: x\n\n"
                + "data: line1\ndata: line2\r\rdata: [DONE]\n\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("{\"a\":\"Grüße 世界 🚀\"}", "message_start|x", "line1\nline2", "[DONE]");
        assertEquals(expected, decode(bytes));
        for (int i = 0; i <= bytes.length; i++) {
            for (int j = i; j <= bytes.length; j += 7) {
                assertEquals(expected, decode(bytes, i, j), "split at " + i + " and " + j);
            }
        }
    }

    @Test
    void aLastEventWithoutItsBlankLineIsStillDelivered() {
        assertEquals(List.of("tail"), decode("data: tail".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void fieldsWithoutSpaceAndUnknownFieldsAreHandled() {
        assertEquals(List.of("a"), decode("id: 7\nretry: 100\ndata:a\n\n".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * What a client reads when the decoder is fed with a frames sink: runs of plain events as they came,
     * the other events framed anew, in order.
     */
    /** What a client of the pass-through reads; also checks that the frames count the events they hold. */
    private static byte[] passThrough(byte[] input, List<String> decoded, int... cuts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        SseDecoder d = new SseDecoder(e -> {
            decoded.add(new String(e.data(), StandardCharsets.UTF_8));
            out.writeBytes(("data: " + new String(e.data(), StandardCharsets.UTF_8).replace("\n", "\ndata: ")
                    + "\n\n").getBytes(StandardCharsets.UTF_8));
        });
        int[] framed = {0};
        dev.budgateway.providers.http.EventDecoder.Frames frames = (piece, a, b, events) -> {
            out.write(piece, a, b - a);
            framed[0] += events;
        };
        int from = 0;
        for (int cut : cuts) {
            d.feed(java.util.Arrays.copyOfRange(input, from, cut), frames);
            from = cut;
        }
        d.feed(java.util.Arrays.copyOfRange(input, from, input.length), frames);
        d.finish();
        assertEquals(decode(input).size(), decoded.size() + framed[0], "every event decoded or counted in frames");
        return out.toByteArray();
    }

    private static final String CHAT_STREAM = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"},"
            + "\"finish_reason\":null}],\"usage\":null}\r\n\r\n"
            + ": keep-alive\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"Grüße \\\"usage\\\": 世界\"}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"🚀\"},\n"
            + "data: \"finish_reason\":null}]}\n\n"
            + "id: 4\ndata: {\"choices\":[]}\n\n"
            + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\r\r"
            + "data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n"
            + "data: {\"error\":{\"message\":\"x\"}}\n\n"
            + "data: [DONE]\n\n";

    @Test
    void passedThroughAtEverySplitTheClientReadsTheSameEvents() {
        byte[] bytes = CHAT_STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> expected = decode(bytes);
        assertEquals(8, expected.size());
        for (int i = 0; i <= bytes.length; i++) {
            for (int j = i; j <= bytes.length; j += 5) {
                List<String> decoded = new ArrayList<>();
                byte[] client = passThrough(bytes, decoded, i, j);
                assertEquals(expected, decode(client), "split at " + i + " and " + j);
                // What must be read is always decoded: the finish, the usage, the error, [DONE], the id'd event.
                for (String e : List.of(expected.get(4), expected.get(5), expected.get(6), expected.get(7),
                        expected.get(3))) {
                    assertTrue(decoded.contains(e), e + " decoded at split " + i + " and " + j);
                }
            }
        }
    }

    @Test
    void plainEventsInOnePieceGoOutAsTheyCameWithoutBeingDecoded() {
        byte[] bytes = CHAT_STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> decoded = new ArrayList<>();
        byte[] client = passThrough(bytes, decoded);
        // The role chunk (usage null, finish null), the comment, the escaped "usage" in content, the two-line one.
        assertEquals(5, decoded.size(), decoded.toString());
        String text = new String(client, StandardCharsets.UTF_8);
        assertTrue(text.startsWith(CHAT_STREAM.substring(0, CHAT_STREAM.indexOf("id: 4"))), text);
    }
}
