package dev.budgateway.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.budgateway.plugins.spi.Chunk;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A chat stream is complete once a choice has finished: read from an event's bytes, in or out of a read. */
class FinishReasonTest {

    private static void assertFinished(boolean expected, String event) {
        byte[] data = event.getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, OpenAiProtocol.hasFinishReason(Chunk.event(data)), event);
        byte[] read = ("data: x\n\n" + event + "\n\n").getBytes(StandardCharsets.UTF_8);
        int from = "data: x\n\n".length();
        assertEquals(expected, OpenAiProtocol.hasFinishReason(Chunk.frames(read, from, from + data.length, 1)),
                "the same event inside a larger read: " + event);
    }

    @Test
    void aChoiceWithAFinishReasonFinishesTheStream() {
        assertFinished(true, "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        assertFinished(true, "{\"choices\":[{\"index\":0,\"finish_reason\":null},{\"index\":1,"
                + "\"logprobs\":{\"content\":[{\"token\":\"a\"}]},\"finish_reason\":\"length\"}]}");
        assertFinished(true, "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}],\"usage\":null}");
    }

    @Test
    void nothingElseDoes() {
        assertFinished(false, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}");
        assertFinished(false, "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}");
        assertFinished(false, "{\"choices\":[{\"delta\":{\"content\":\"\\\"finish_reason\\\":\\\"stop\\\"\"}}]}");
        assertFinished(false, "{\"finish_reason\":\"stop\",\"choices\":[{\"finish_reason\":null}]}");
        assertFinished(false, "{\"choices\":[{\"finish_reason\":\"stop\"}],\"choices\":[{\"finish_reason\":null}]}");
        assertFinished(false, "{\"choices\":{\"finish_reason\":\"stop\"}}");
        assertFinished(false, "{\"choices\":[{\"finish_reason\":\"stop\"}");
        assertFinished(false, "not json");
    }
}
