package dev.budgateway.plugins.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a filter reads and rewrites of a chunk, for every shape the gateway passes on. */
class ChunkTest {

    private static Chunk event(String json) {
        return Chunk.event(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Chunk unary(String json) {
        return Chunk.unary(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void chatAndCompletionsChunks() {
        Chunk delta = event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}");
        assertEquals("Hello", delta.text());
        assertEquals("HELLO", delta.withText("HELLO").text());
        assertEquals("Hello", delta.text(), "chunks are immutable: the copy changed, not this one");
        Chunk message = unary("{\"choices\":[{\"index\":0,\"message\":{\"content\":\"Hi\"}}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}");
        assertEquals("Hi", message.text());
        assertEquals(new Usage(3, 2), message.usage());
        Chunk completion = event("{\"choices\":[{\"index\":0,\"text\":\"once\"}]}");
        assertEquals("twice", completion.withText("twice").text());
        Chunk role = event("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}");
        assertNull(role.text());
        assertSame(role, role.withText("x"), "nothing to rewrite");
    }

    @Test
    void responsesStreamEvents() {
        Chunk delta = Chunk.event("response.output_text.delta", ("{\"type\":\"response.output_text.delta\","
                + "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hel\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("Hel", delta.text());
        Chunk redacted = delta.withText("***");
        assertEquals("***", redacted.text());
        assertEquals("response.output_text.delta", redacted.eventName());
        assertEquals("msg_1", redacted.json().path("item_id").asText());
        Chunk completed = Chunk.event("response.completed", ("{\"type\":\"response.completed\",\"response\":"
                + "{\"id\":\"resp_1\",\"usage\":{\"input_tokens\":12,\"output_tokens\":7,\"total_tokens\":19}}}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(new Usage(12, 7), completed.usage());
        assertNull(completed.text());
    }

    @Test
    void responsesBodies() {
        Chunk body = unary("{\"object\":\"response\",\"output\":[{\"type\":\"reasoning\",\"summary\":[]},"
                + "{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"The answer\"}]}],"
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":2}}");
        assertEquals("The answer", body.text());
        assertEquals("[redacted]", body.withText("[redacted]").text());
        assertEquals(new Usage(5, 2), body.usage());
        Chunk twoParts = unary("{\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\","
                + "\"text\":\"a\"},{\"type\":\"output_text\",\"text\":\"b\"}]}]}");
        assertEquals("ab", twoParts.text());
        assertSame(twoParts, twoParts.withText("x"), "spread over parts: left as it is");
    }
}
