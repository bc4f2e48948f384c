package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import java.util.function.Function;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in every string value. Done on the parsed tree, not
 * the text, so a value can never break the TOML syntax around it. {@code $${} writes a literal {@code ${}.
 */
final class EnvInterpolation {

    private EnvInterpolation() {}

    static void apply(JsonNode node, String path, Function<String, String> env, ConfigReader reader) {
        if (node instanceof ObjectNode obj) {
            for (Map.Entry<String, JsonNode> e : obj.properties()) {
                String childPath = ConfigReader.join(path, e.getKey());
                if (e.getValue().isTextual()) {
                    e.setValue(TextNode.valueOf(expand(e.getValue().asText(), childPath, env, reader)));
                } else {
                    apply(e.getValue(), childPath, env, reader);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                String childPath = path + "[" + i + "]";
                if (arr.get(i).isTextual()) {
                    arr.set(i, TextNode.valueOf(expand(arr.get(i).asText(), childPath, env, reader)));
                } else {
                    apply(arr.get(i), childPath, env, reader);
                }
            }
        }
    }

    static String expand(String text, String path, Function<String, String> env, ConfigReader reader) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (c == '$' && text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    reader.problem(path, "unclosed ${ in \"" + ConfigText.printable(text) + "\"");
                    return text;
                }
                String expr = text.substring(i + 2, end);
                int dflt = expr.indexOf(":-");
                String name = dflt >= 0 ? expr.substring(0, dflt) : expr;
                String value = env.apply(name);
                if (value != null) {
                    reader.environment().add(value);
                }
                if (value == null || (dflt >= 0 && value.isEmpty())) {
                    if (dflt >= 0) {
                        value = expr.substring(dflt + 2);
                    } else {
                        reader.problem(path, "environment variable " + name + " is not set (write ${" + name
                                + ":-default} to give a default)");
                        value = "";
                    }
                }
                out.append(value);
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
