package dev.budgateway.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {

    private static ObjectNode json(String s) throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(s);
    }

    @Test
    void replacesTheModelWithoutTouchingTheClientBody() throws Exception {
        ObjectNode client = json("{\"model\":\"alias\",\"messages\":[],\"top_k\":3}");
        ObjectNode up = RequestBodies.forUpstream(client, "real", null);
        assertEquals("real", up.get("model").asText());
        assertEquals(3, up.get("top_k").asInt(), "unknown fields pass through untouched");
        assertEquals("alias", client.get("model").asText());
    }

    @Test
    void extraBodyAsTableMergesDeeplyAndAsPointersEditsAndDeletes() throws Exception {
        ObjectNode client = json("{\"model\":\"m\",\"chat_template_kwargs\":{\"a\":1},\"seed\":1}");
        JsonNode table = json("{\"chat_template_kwargs\":{\"b\":2},\"ignore_eos\":true}");
        ObjectNode merged = RequestBodies.forUpstream(client, null, table);
        assertEquals(json("{\"model\":\"m\",\"chat_template_kwargs\":{\"a\":1,\"b\":2},\"seed\":1,\"ignore_eos\":true}"),
                merged);
        JsonNode edits = Json.MAPPER.readTree("[{\"pointer\":\"/guided/json\",\"value\":{\"type\":\"object\"}},"
                + "{\"pointer\":\"/seed\",\"delete\":true}]");
        ObjectNode edited = RequestBodies.forUpstream(client, null, edits);
        assertEquals("object", edited.at("/guided/json/type").asText());
        assertEquals(false, edited.has("seed"));
        assertEquals(1, client.get("seed").asInt());
    }

    @Test
    void aPointerEditThroughSomethingElseThanAnObjectIsTheClientsBadRequest() throws Exception {
        JsonNode edits = Json.MAPPER.readTree("[{\"pointer\":\"/stream_options/x\",\"value\":1}]");
        GatewayException e = assertThrows(GatewayException.class, () -> RequestBodies.forUpstream(
                json("{\"model\":\"m\",\"stream_options\":[1]}"), null, edits));
        assertEquals(400, e.error().status());
        assertThrows(GatewayException.class, () -> RequestBodies.forUpstream(
                json("{\"model\":\"m\",\"stream_options\":\"x\"}"), null, edits));
        assertEquals(1, RequestBodies.forUpstream(json("{\"model\":\"m\"}"), null, edits).at("/stream_options/x")
                .asInt(), "a missing object is made");
        JsonNode intoList = Json.MAPPER.readTree("[{\"pointer\":\"/stop/0\",\"value\":\"END\"},"
                + "{\"pointer\":\"/tools/0/x\",\"delete\":true}]");
        assertEquals("END", RequestBodies.forUpstream(json("{\"stop\":[\"a\"],\"tools\":5}"), null, intoList)
                .at("/stop/0").asText());
    }
}
