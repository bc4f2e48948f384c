package dev.budgateway.server;

/**
 * Response header values made safe to send. Some carry what a client wrote (the model name of a shorthand
 * such as {@code dummy::a\r\nb}), and a line break or NUL there is refused by the HTTP codec, which would
 * leave the response unsent: every character outside visible ASCII becomes {@code ?}, once, where the
 * headers are written.
 */
final class HeaderValues {

    private HeaderValues() {}

    static String safe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                return replaceFrom(value, i);
            }
        }
        return value; // the common case: nothing to copy
    }

    private static String replaceFrom(String value, int first) {
        StringBuilder sb = new StringBuilder(value.length()).append(value, 0, first);
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            sb.append((c < 0x20 && c != '\t') || c > 0x7e ? '?' : c);
        }
        return sb.toString();
    }
}
