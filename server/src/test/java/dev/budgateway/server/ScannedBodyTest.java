package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.RequestBodies;
import dev.budgateway.providers.ScannedBody;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scan that lets an untouched body go upstream as its bytes must agree with the request parser on every
 * body: what it takes the parser takes, and what goes upstream reads as the tree path's body would.
 */
class ScannedBodyTest {

    private static final List<String> CHAT = List.of(
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            " \n{ \"messages\" : [ {\"content\":\"x\",\"role\":\"user\"} ] , \"model\" : \"a\\\"b\\\\\" ,\"stream\":true}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\",\"content\":\"Grüße \\\"model\\\":\\\"x\\\" 世界\"}],"
                    + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"temperature\":0.2}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}],\"stream\":true,\"stream_options\":{}}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}],\"stream\":null,\"tools\":[{\"a\":[1,2,{}]}]}",
            "{\"model\":\"alias\",\"model\":\"other\",\"messages\":[{\"role\":\"user\"}]}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}],\"messages\":[{\"role\":\"user\"}]}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\",\"role\":1}]}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":1,\"role\":\"user\"}]}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}]} trailing",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}]}   ",
            "{\"model\":\"\",\"messages\":[{\"role\":\"user\"}]}",
            "{\"model\":3,\"messages\":[{\"role\":\"user\"}]}",
            "{\"model\":\"alias\",\"messages\":[]}",
            "{\"model\":\"alias\",\"messages\":[\"user\"]}",
            "{\"model\":\"alias\",\"messages\":null}",
            "{\"model\":\"alias\"}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}],\"stream\":\"yes\"}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}],\"stream\":true,\"stream_options\":[1]}",
            "{\"model\":\"alias\",\"messages\":[{\"role\":\"user\"}",
            "[1]",
            "");

    @Test
    void whatTheScanTakesTheParserTakesAndUpstreamReadsTheSame() throws Exception {
        int scanned = 0;
        for (String text : CHAT) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            ScannedBody body = ScannedBody.scan(ApiEndpoint.CHAT, bytes);
            ObjectNode tree;
            try {
                tree = RequestParser.parse(ApiEndpoint.CHAT, bytes);
            } catch (GatewayException e) {
                assertNull(body, "the parser refuses, so the scan must: " + text);
                continue;
            }
            if (body == null) {
                continue; // read whole instead: always allowed
            }
            scanned++;
            assertEquals(tree.get("model").asText(), body.model(), text);
            assertEquals(tree.path("stream").asBoolean(false), body.stream(), text);
            for (boolean force : new boolean[] {false, true}) {
                for (String name : new String[] {null, "alias", "real/mödel \"x\""}) {
                    JsonNode upstream = Json.MAPPER.readTree(body.forUpstream(name, force));
                    assertEquals(treePath(tree, name, force), upstream, text + " as " + name + ", usage " + force);
                }
            }
            assertSame(bytes, body.forUpstream(null, false), "nothing changes: the client's own bytes");
        }
        assertEquals(6, scanned, "the bodies without a doubled or refused field are scanned");
    }

    /** What the OpenAI protocol sends for a parsed body. */
    private static ObjectNode treePath(ObjectNode client, String modelName, boolean forceUsage) {
        ObjectNode body = RequestBodies.forUpstream(client, modelName, null);
        if (forceUsage) {
            ObjectNode options = body.objectNode();
            if (client.get("stream_options") instanceof ObjectNode clientOptions) {
                options.setAll(clientOptions);
            }
            options.put("include_usage", true);
            body.set("stream_options", options);
        }
        return body;
    }

    @Test
    void completionsAndEmbeddingsNeedTheirOwnField() {
        assertNotNull(ScannedBody.scan(ApiEndpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\"}".getBytes()));
        assertNull(ScannedBody.scan(ApiEndpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":null}".getBytes()));
        assertNotNull(ScannedBody.scan(ApiEndpoint.EMBEDDING, "{\"model\":\"m\",\"input\":[\"a\"]}".getBytes()));
        assertNull(ScannedBody.scan(ApiEndpoint.EMBEDDING, "{\"model\":\"m\",\"input\":3}".getBytes()));
        assertNull(ScannedBody.scan(ApiEndpoint.RESPONSES, "{\"model\":\"m\",\"input\":\"x\"}".getBytes()));
    }
}
