package dev.budgateway.providers;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    static void applyExtraBody(ObjectNode target, JsonNode extraBody) {
        if (extraBody.isObject()) {
            merge(target, (ObjectNode) extraBody);
            return;
        }
        for (JsonNode edit : extraBody) {
            JsonPointer pointer = JsonPointer.compile(edit.path("pointer").asText());
            JsonNode parent = target.at(pointer.head());
            String last = pointer.last().getMatchingProperty();
            if (edit.path("delete").asBoolean(false)) {
                if (parent instanceof ObjectNode o) {
                    o.remove(last);
                }
            } else {
                ObjectNode holder = parent instanceof ObjectNode o ? o : target.withObject(pointer.head());
                holder.set(last, edit.get("value").deepCopy());
            }
        }
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
