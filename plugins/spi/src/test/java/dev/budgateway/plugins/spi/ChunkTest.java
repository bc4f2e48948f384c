package dev.budgateway.plugins.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

    @Test
    void anthropicEventsAndBodies() {
        Chunk delta = Chunk.event("content_block_delta", ("{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals("Hi", delta.text());
        assertEquals("**", delta.withText("**").text());
        assertEquals("content_block_delta", delta.withText("**").eventName());
        Chunk toolInput = Chunk.event("content_block_delta", ("{\"type\":\"content_block_delta\",\"index\":1,"
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}")
                .getBytes(StandardCharsets.UTF_8));
        assertNull(toolInput.text());
        Chunk start = Chunk.event("message_start", ("{\"type\":\"message_start\",\"message\":{\"id\":\"m\","
                + "\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(new Usage(9, 1), start.usage());
        Chunk body = unary("{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"Yes\"}],"
                + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}");
        assertEquals("Yes", body.text());
        assertEquals("No", body.withText("No").text());
        assertEquals(new Usage(3, 1), body.usage());
    }

    @Test
    void editsMakeANewChunkAndLeaveTheOldOne() {
        Chunk original = unary("{\"id\":\"a\",\"choices\":[]}");
        Chunk edited = original.edit(json -> json.put("id", "b"));
        assertEquals("b", edited.json().path("id").asText());
        assertTrue(edited.dataAsString().contains("\"b\""), "the bytes are the edited tree");
        assertEquals("a", original.json().path("id").asText());
        assertTrue(edited.isUnary());
        Chunk raw = Chunk.bytes(new byte[] {1, 2});
        assertSame(raw, raw.edit(json -> json.put("x", 1)), "not JSON: nothing to edit");
    }

    @Test
    void hasFieldReadsTheBytesWithoutParsing() {
        Chunk delta = Chunk.event(("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"say \\\"finish_reason\\\":"
                + "\\\"stop\\\" and usage\"},\"finish_reason\":null}],\"usage\": null}").getBytes(StandardCharsets.UTF_8));
        assertFalse(delta.hasField("finish_reason"), "null, and the same text inside a string does not count");
        assertFalse(delta.hasField("usage"));
        assertFalse(delta.isUsageOnly());
        Chunk last = Chunk.event(("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\" : \"stop\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(last.hasField("finish_reason"));
        Chunk usage = Chunk.event("{\"choices\":[],\n \"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}"
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(usage.hasField("usage"));
        assertTrue(usage.isUsageOnly());
        Chunk twoChoices = Chunk.event(("{\"choices\":[{\"index\":0,\"finish_reason\":null},{\"index\":1,"
                + "\"finish_reason\":\"length\"}]}").getBytes(StandardCharsets.UTF_8));
        assertTrue(twoChoices.hasField("finish_reason"), "any choice's, not only the first");
        assertTrue(twoChoices.hasField("finish_reason"), "asked again: the same answer");
        assertFalse(twoChoices.hasField("usage"));
        assertFalse(Chunk.event("{\"x\":\"\\\\\",\"y\":1}".getBytes(StandardCharsets.UTF_8)).hasField("usage"));
        assertTrue(Chunk.event("{\"x\":\"\\\\\",\"usage\":0}".getBytes(StandardCharsets.UTF_8)).hasField("usage"),
                "a string ending in an escaped backslash, then the key");
    }

    @Test
    void framesThatArePartOfAReadAreTheirPartWithoutACopy() {
        byte[] read = "data: {\"a\":1}\n\ndata: {\"b\"".getBytes(StandardCharsets.UTF_8);
        Chunk frames = Chunk.frames(read, 0, 15, 1);
        assertSame(read, frames.array());
        assertEquals(0, frames.offset());
        assertEquals(15, frames.length());
        assertEquals(1, frames.events());
        assertEquals(1, Chunk.event("{}".getBytes(StandardCharsets.UTF_8)).events());
        assertEquals("data: {\"a\":1}\n\n", frames.dataAsString());
        assertArrayEquals("data: {\"a\":1}\n\n".getBytes(StandardCharsets.UTF_8), frames.data());
        assertSame(frames.data(), frames.data());
        Chunk whole = Chunk.frames(read, 1);
        assertSame(read, whole.data());
        assertEquals(read.length, whole.length());
        assertThrows(IndexOutOfBoundsException.class, () -> Chunk.frames(read, 4, read.length + 1, 0));
    }

    @Test
    void aStreamsUsageIsReadFromItsBytesAsTheTreeWouldReadIt() throws Exception {
        String[] events = {
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                    + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":11,\"total_tokens\":20}}",
            "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1}}",
            "{\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}",
            "{\"usage\":{\"prompt_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":1}}}",
            "{\"choices\":\"none\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}",
            "{\"choices\":{},\"usage\":{\"prompt_tokens\":\"5\",\"completion_tokens\":[1]}}",
            "{\"choices\":[[]],\"usage\":{\"prompt_tokens\":1}}",
            "{\"usage\":{\"prompt_tokens\":1},\"choices\":[],\"usage\":{\"prompt_tokens\":2}}",
            "{\"usage\":5,\"choices\":[]}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":99999999999999999999,\"completion_tokens\":-1e30}}",
            "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":8,\"output_tokens\":1}}}",
            "{\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":8,\"output_tokens\":3}}}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}",
            "[{\"usage\":{\"prompt_tokens\":1}}]",
        };
        for (String e : events) {
            Chunk fromBytes = event(e);
            JsonNode tree;
            try {
                tree = Json.parse(e.getBytes(StandardCharsets.UTF_8));
            } catch (java.io.IOException notJson) {
                tree = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            Chunk fromTree = Chunk.event(tree);
            assertEquals(fromTree.isUsageOnly(), fromBytes.isUsageOnly(), e);
            assertEquals(fromTree.usage(), fromBytes.usage(), e);
            assertEquals(fromTree.isUsageOnly(), fromBytes.isUsageOnly(), "asked again: " + e);
        }
        Chunk read = Chunk.unary("{\"choices\":[]}".getBytes(StandardCharsets.UTF_8), new Usage(4, 5));
        assertEquals(new Usage(4, 5), read.usage(), "read with the bytes by whoever made the chunk");
        assertTrue(read.hasField("usage"), "a usage read with the bytes is there without a scan");
    }
}
