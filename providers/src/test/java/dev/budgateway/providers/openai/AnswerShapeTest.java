package dev.budgateway.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Usage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-pass reading of a whole answer gives what its tree gives, for every shape a provider may send. */
class AnswerShapeTest {

    private static final List<String> BODIES = List.of(
            "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"Hi\"}}],"
                    + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":6,\"total_tokens\":15}}",
            "{\"usage\":{\"prompt_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":4},"
                    + "\"completion_tokens\":6},\"choices\":[]}",
            "{\"choices\":[],\"usage\":{\"input_tokens\":12,\"output_tokens\":7}}",
            "{\"choices\":[],\"usage\":{\"input_tokens\":12,\"output_tokens\":7,\"prompt_tokens\":null}}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":\"12\",\"completion_tokens\":2.9}}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":{\"x\":1},\"completion_tokens\":[1]}}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":99999999999999999999,\"completion_tokens\":1e30}}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":-99999999999999999999,\"completion_tokens\":\"1e30\"}}",
            "{\"choices\":[],\"usage\":{\"input_tokens\":[3],\"output_tokens\":4}}",
            "{\"choices\":[],\"usage\":null}",
            "{\"choices\":[],\"usage\":7}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":1},\"usage\":{\"prompt_tokens\":2}}",
            "{\"choices\":{}}",
            "{\"choices\":null,\"error\":{\"message\":\"overloaded\"}}",
            "{\"error\":null}",
            "{\"data\":[{\"embedding\":[0.1,0.2]}],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}",
            "{\"choices\":[]} trailing",
            "{\"choices\":[{\"message\":{\"content\":\"cut",
            "{\"choices\":[{\"message\":{\"content\":\"x\"}}]]",
            "[1,2]",
            "\"text\"",
            "",
            "   ");

    @Test
    void readsEveryBodyAsItsTreeWould() {
        for (String body : BODIES) {
            for (String list : new String[] {"choices", "data", null}) {
                assertEquals(fromTree(body, list), AnswerShape.read(body.getBytes(StandardCharsets.UTF_8), list),
                        body + " / " + list);
            }
        }
    }

    private static AnswerShape fromTree(String body, String list) {
        JsonNode answer;
        try {
            answer = Json.parse(body.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            answer = MissingNode.getInstance();
        }
        if (!answer.isObject()) {
            return new AnswerShape(false, false, false, null);
        }
        return new AnswerShape(true, list != null && answer.path(list).isArray(), answer.has("error"),
                Usage.fromOpenAi(answer.get("usage")));
    }
}
