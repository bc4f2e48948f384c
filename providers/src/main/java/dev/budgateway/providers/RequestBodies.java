package dev.budgateway.providers;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;

/** Building the body sent upstream from the client's, without modifying the client's. */
public final class RequestBodies {

    private RequestBodies() {}

    /**
     * The client's body with {@code model} set to {@code modelName} and {@code extraBody} applied. A shallow
     * copy when there is no extra body (the common case), a deep copy otherwise.
     */
    public static ObjectNode forUpstream(ObjectNode client, String modelName, JsonNode extraBody) {
        ObjectNode out;
        if (extraBody == null) {
            out = client.objectNode();
            out.setAll(client);
        } else {
            out = client.deepCopy();
            applyExtraBody(out, extraBody);
        }
        if (modelName != null) {
            out.put("model", modelName);
        }
        return out;
    }

    /**
     * @throws GatewayException (400) when an edit cannot apply because the client's body has something
     *     else than an object or list on its path (the client sent {@code "stream_options": [1]}, say)
     */
    static void applyExtraBody(ObjectNode target, JsonNode extraBody) {
        if (extraBody.isObject()) {
            merge(target, (ObjectNode) extraBody);
            return;
        }
        for (JsonNode edit : extraBody) {
            JsonPointer pointer = JsonPointer.compile(edit.path("pointer").asText());
            JsonPointer head = pointer.head();
            JsonNode parent = target.at(head);
            String last = pointer.last().getMatchingProperty();
            int index = pointer.last().getMatchingIndex();
            if (edit.path("delete").asBoolean(false)) {
                if (parent instanceof ObjectNode o) {
                    o.remove(last);
                } else if (parent instanceof ArrayNode a && index >= 0 && index < a.size()) {
                    a.remove(index);
                }
                continue; // nothing there: nothing to delete
            }
            if (parent.isMissingNode()) {
                parent = createObjects(target, head);
            }
            if (parent instanceof ObjectNode o) {
                o.set(last, edit.get("value").deepCopy());
            } else if (parent instanceof ArrayNode a && index >= 0 && index < a.size()) {
                a.set(index, edit.get("value").deepCopy());
            } else {
                throw new GatewayException(GatewayError.badRequest("invalid_request_body", "The request's '"
                        + head + "' must be an object for this model (its provider sets '" + pointer + "')"));
            }
        }
    }

    /** The objects on {@code path} made where missing; a missing node where something else is in the way. */
    private static JsonNode createObjects(ObjectNode target, JsonPointer path) {
        JsonNode node = target;
        for (JsonPointer p = path; !p.matches(); p = p.tail()) {
            String name = p.getMatchingProperty();
            if (!(node instanceof ObjectNode o)) {
                return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            JsonNode child = o.get(name);
            node = child == null ? o.putObject(name) : child;
        }
        return node;
    }

    private static void merge(ObjectNode target, ObjectNode extra) {
        extra.properties().forEach(e -> {
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
                merge(eo, vo);
            } else if (e.getValue() instanceof ArrayNode || e.getValue() instanceof ObjectNode) {
                target.set(e.getKey(), e.getValue().deepCopy());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        });
    }
}
