package dev.budgateway.providers.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Usage;
import java.io.IOException;

/**
 * What the gateway must know of an OpenAI-shaped whole answer, read in one pass over its bytes without building
 * a tree: whether it is a JSON object, whether its top-level {@code list} field is an array, whether it has an
 * {@code error}, and its {@code usage}. A tree of the same answer costs several times as much, and nobody may
 * read it: a listener that does pays for it then.
 *
 * <p>Read as a tree would be: malformed JSON anywhere in the object is not an object, a field given twice counts
 * as its last value, and what follows the object is not read.
 */
record AnswerShape(boolean isObject, boolean hasList, boolean hasError, Usage usage) {

    private static final JsonFactory FACTORY = Json.MAPPER.getFactory();
    private static final AnswerShape NOT_AN_OBJECT = new AnswerShape(false, false, false, null);

    /** {@code list}: the top-level field that must be an array ({@code choices}, {@code data}), or {@code null}. */
    static AnswerShape read(byte[] body, String list) {
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NOT_AN_OBJECT;
            }
            boolean hasList = false;
            boolean hasError = false;
            Usage usage = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(list)) {
                    hasList = value == JsonToken.START_ARRAY;
                } else if (name.equals("error")) {
                    hasError = true;
                } else if (name.equals("usage")) {
                    usage = value == JsonToken.START_OBJECT ? Usage.read(p) : null;
                    continue; // read to the object's end
                }
                p.skipChildren();
            }
            return p.currentToken() == JsonToken.END_OBJECT ? new AnswerShape(true, hasList, hasError, usage)
                    : NOT_AN_OBJECT;
        } catch (IOException | RuntimeException e) {
            return NOT_AN_OBJECT;
        }
    }
}
