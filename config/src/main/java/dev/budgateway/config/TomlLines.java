package dev.budgateway.config;

import dev.budgateway.plugins.spi.ConfigProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each table and key of a TOML file is written, so that a problem found in the parsed tree can
 * name its line. A light scan of the text, not a second parser: it understands table headers,
 * arrays of tables and {@code key = value} lines (dotted and quoted keys included); a value that
 * spans lines is located at its first line.
 */
public final class TomlLines {

    private final Map<String, Integer> lines = new HashMap<>();

    private TomlLines() {}

    /** No file: every line is unknown. */
    public static final TomlLines NONE = new TomlLines();

    static TomlLines scan(String toml) {
        TomlLines t = new TomlLines();
        Map<String, Integer> arrayCounts = new HashMap<>();
        String table = "";
        String[] text = toml.split("\r\n|\n|\r", -1);
        boolean inMultiline = false;
        for (int n = 0; n < text.length; n++) {
            String line = text[n].strip();
            if (inMultiline) {
                if (line.contains("\"\"\"") || line.contains("'''")) {
                    inMultiline = false;
                }
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[[")) {
                int end = line.indexOf("]]");
                if (end < 0) {
                    continue;
                }
                String name = path(line.substring(2, end));
                int index = arrayCounts.merge(name, 1, Integer::sum) - 1;
                table = name + "[" + index + "]";
                t.lines.putIfAbsent(table, n + 1);
            } else if (line.startsWith("[")) {
                int end = line.lastIndexOf(']');
                if (end < 0) {
                    continue;
                }
                table = path(line.substring(1, end));
                t.lines.putIfAbsent(table, n + 1);
            } else {
                int eq = indexOfEquals(line);
                if (eq <= 0) {
                    continue;
                }
                String key = path(line.substring(0, eq));
                t.lines.putIfAbsent(table.isEmpty() ? key : table + "." + key, n + 1);
                String value = line.substring(eq + 1);
                if (count(value, "\"\"\"") == 1 || count(value, "'''") == 1) {
                    inMultiline = true;
                }
            }
        }
        return t;
    }

    /** The line of {@code path}, or of the nearest enclosing key or table that has one; 0 if none. */
    public int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            p = parent(p);
        }
        return 0;
    }

    /** The same problems, each path followed by its line where it is known. */
    public List<ConfigProblem> locate(List<ConfigProblem> problems) {
        List<ConfigProblem> out = new ArrayList<>(problems.size());
        for (ConfigProblem p : problems) {
            int line = lineOf(p.path());
            out.add(line == 0 ? p : new ConfigProblem(p.path() + " (line " + line + ")", p.message()));
        }
        return out;
    }

    private static String parent(String path) {
        if (path.endsWith("]")) {
            return path.substring(0, path.lastIndexOf('['));
        }
        int cut = lastSeparator(path);
        return cut < 0 ? "" : path.substring(0, cut);
    }

    /** The last '.' outside quotes. */
    private static int lastSeparator(String path) {
        boolean quoted = false;
        int last = -1;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                last = i;
            }
        }
        return last;
    }

    /** A dotted TOML key (with quoted parts) as the loader's key path spells it. */
    private static String path(String dotted) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < dotted.length(); i++) {
            char c = dotted.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '.') {
                parts.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString().strip());
        String out = "";
        for (String part : parts) {
            out = ConfigReader.join(out, part);
        }
        return out;
    }

    private static int indexOfEquals(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '=') {
                return i;
            }
        }
        return -1;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }
}
