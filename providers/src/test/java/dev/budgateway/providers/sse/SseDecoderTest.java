package dev.budgateway.providers.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
