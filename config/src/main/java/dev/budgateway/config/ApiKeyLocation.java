package dev.budgateway.config;

/**
 * Where a provider's key comes from: {@code env::VAR}, {@code path::FILE}, {@code path_from_env::VAR}
 * (a file whose path is in VAR), or {@code none}. The key itself never appears in the config.
 */
public sealed interface ApiKeyLocation {

    None NONE = new None();

    record Env(String variable) implements ApiKeyLocation {
        @Override
        public String toString() {
            return "env::" + variable;
        }
    }

    record File(String path) implements ApiKeyLocation {
        @Override
        public String toString() {
            return "path::" + path;
        }
    }

    record FileFromEnv(String variable) implements ApiKeyLocation {
        @Override
        public String toString() {
            return "path_from_env::" + variable;
        }
    }

    final class None implements ApiKeyLocation {
        private None() {}

        @Override
        public String toString() {
            return "none";
        }
    }

    /** Parses the config syntax; {@code null} when it is not one of the forms. */
    static ApiKeyLocation parse(String text) {
        if (text.equals("none")) {
            return NONE;
        }
        int sep = text.indexOf("::");
        if (sep <= 0 || sep + 2 >= text.length()) {
            return null;
        }
        String rest = text.substring(sep + 2);
        return switch (text.substring(0, sep)) {
            case "env" -> new Env(rest);
            case "path" -> new File(rest);
            case "path_from_env" -> new FileFromEnv(rest);
            default -> null;
        };
    }
}
