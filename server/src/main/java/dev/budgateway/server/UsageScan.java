package dev.budgateway.server;

/**
 * Finds out without parsing whether a JSON payload may carry a {@code "usage": {...}} object, so that
 * only the chunks that do are parsed (most stream chunks carry none, or {@code "usage": null}).
 */
final class UsageScan {

    private static final byte[] KEY = {'"', 'u', 's', 'a', 'g', 'e', '"'};

    private UsageScan() {}

    static boolean mayHaveUsage(byte[] json) {
        outer:
        for (int i = 0; i <= json.length - KEY.length; i++) {
            for (int k = 0; k < KEY.length; k++) {
                if (json[i + k] != KEY[k]) {
                    continue outer;
                }
            }
            int j = skipSpace(json, i + KEY.length);
            if (j < json.length && json[j] == ':') {
                j = skipSpace(json, j + 1);
                if (j < json.length && json[j] == '{') {
                    return true;
                }
            }
        }
        return false;
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }
}
