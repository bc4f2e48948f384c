package dev.budgateway.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import java.io.IOException;

/**
 * Parses and checks a request body for an endpoint: well-formed JSON, an object, and the fields the
 * endpoint cannot do without, with their types. Errors name the field ({@code param}) as OpenAI does.
 */
final class RequestParser {

    /** Parse errors must not echo the body back: it may hold secrets or personal data. */
    private static final ObjectMapper PARSER = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private RequestParser() {}

    static ObjectNode parse(ApiEndpoint endpoint, byte[] bytes) {
        return check(endpoint, parseObject(bytes));
    }

    /** A well-formed JSON object, or a 400 that says where it is not one (without echoing the body). */
    static ObjectNode parseObject(byte[] bytes) {
        if (bytes.length == 0) {
            throw invalid(null, "Request body is empty; expected a JSON object");
        }
        JsonNode node;
        try {
            node = PARSER.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw invalid(null, "Invalid JSON in request body" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(null, "Could not read the request body");
        }
        if (!(node instanceof ObjectNode body)) {
            throw invalid(null, "Request body must be a JSON object");
        }
        return body;
    }

    /** Checks the fields of a parsed body (a JSON body, or a form's text fields). */
    static ObjectNode check(ApiEndpoint endpoint, ObjectNode body) {
        requireString(body, "model");
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw invalid("stream", "'stream' must be a boolean");
        }
        switch (endpoint) {
            case CHAT -> {
                JsonNode messages = body.get("messages");
                if (messages == null || messages.isNull()) {
                    throw invalid("messages", "Missing required parameter: 'messages'");
                }
                if (!messages.isArray() || messages.isEmpty()) {
                    throw invalid("messages", "'messages' must be a non-empty array");
                }
                for (int i = 0; i < messages.size(); i++) {
                    if (!messages.get(i).isObject() || !messages.get(i).path("role").isTextual()) {
                        throw invalid("messages[" + i + "]", "'messages[" + i + "]' must be an object with a 'role'");
                    }
                }
            }
            case COMPLETIONS -> {
                if (!body.hasNonNull("prompt")) {
                    throw invalid("prompt", "Missing required parameter: 'prompt'");
                }
            }
            case EMBEDDING -> {
                JsonNode input = body.get("input");
                if (input == null || input.isNull()) {
                    throw invalid("input", "Missing required parameter: 'input'");
                }
                if (!(input.isTextual() || input.isArray())) {
                    throw invalid("input", "'input' must be a string or an array");
                }
            }
            case MODERATION -> require(body, "input");
            case TEXT_TO_SPEECH -> {
                requireString(body, "input");
                require(body, "voice");
            }
            case IMAGE_GENERATION, IMAGE_EDIT -> requireString(body, "prompt");
            default -> {
                // Responses may be driven by previous_response_id or a stored prompt; uploads are checked
                // by their reader; the upstream judges the rest.
            }
        }
        return body;
    }

    private static void require(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw invalid(field, "Missing required parameter: '" + field + "'");
        }
    }

    private static void requireString(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw invalid(field, "Missing required parameter: '" + field + "'");
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw invalid(field, "'" + field + "' must be a non-empty string");
        }
    }

    private static GatewayException invalid(String param, String message) {
        return new GatewayException(GatewayError.badRequest(param == null ? "invalid_request_body" : "invalid_"
                + param.replaceAll("\\[\\d+]", ""), message));
    }
}
