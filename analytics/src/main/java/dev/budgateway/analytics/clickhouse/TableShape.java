package dev.budgateway.analytics.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A table as the server has it (its columns and their types, read at start), and rows made into what it takes: only
 * its columns, each value in its type's form — times to the second for {@code DateTime}, maps as JSON text where the
 * column is a string, booleans for {@code Bool}, {@code null} for a text that is no UUID in a UUID column (the Rust
 * gateway's project and endpoint ids), a type's zero for a {@code null} the column cannot hold.
 */
record TableShape(Map<String, String> types) {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    TableShape {
        types = Map.copyOf(types);
    }

    /** The columns an insert names, in the order the rows' fields are written. */
    String columnList(Iterable<String> ordered) {
        StringBuilder b = new StringBuilder();
        for (String c : ordered) {
            if (types.containsKey(c)) {
                b.append(b.length() == 0 ? "" : ", ").append(c);
            }
        }
        return b.toString();
    }

    String adapt(String row) {
        ObjectNode in;
        try {
            in = (ObjectNode) Json.MAPPER.readTree(row);
        } catch (IOException e) {
            throw new IllegalStateException("an analytics row is not JSON", e);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> f : in.properties()) {
            String type = types.get(f.getKey());
            if (type != null) {
                out.set(f.getKey(), value(f.getValue(), type));
            }
        }
        return out.toString();
    }

    private static JsonNode value(JsonNode v, String type) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        boolean nullable = type.contains("Nullable(");
        String base = type.replace("LowCardinality(", "").replace("Nullable(", "").replace(")", "");
        if (v.isNull()) {
            if (nullable) {
                return v;
            }
            return base.startsWith("String") ? n.textNode("") : base.startsWith("Map") ? n.objectNode()
                    : base.startsWith("Bool") ? n.booleanNode(false) : n.numberNode(0);
        }
        if (base.startsWith("UUID")) {
            return v.isTextual() && UUID.matcher(v.asText()).matches() ? v : nullable ? n.nullNode()
                    : n.textNode("00000000-0000-0000-0000-000000000000");
        }
        if (base.startsWith("Bool")) {
            return n.booleanNode(v.asInt() != 0 || v.asBoolean());
        }
        if (base.startsWith("DateTime64")) {
            return v;
        }
        if (base.startsWith("DateTime") && v.isTextual() && v.asText().length() > 19) {
            return n.textNode(v.asText().substring(0, 19));
        }
        if (base.startsWith("String") && v.isObject()) {
            return n.textNode(v.toString());
        }
        return v;
    }
}
