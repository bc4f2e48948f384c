package dev.budgateway.config;

/**
 * Config values as they may appear in a message: control characters escaped (a NUL or line break in a
 * value must not break the report it appears in) and long values cut, since the report is read by a
 * person on a terminal.
 */
public final class ConfigText {

    private static final int MAX_SHOWN = 120;

    private ConfigText() {}

    public static String printable(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_SHOWN) + 8);
        for (int i = 0; i < value.length(); i++) {
            if (sb.length() >= MAX_SHOWN) {
                return sb.append("... (").append(value.length()).append(" characters)").toString();
            }
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
