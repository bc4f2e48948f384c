package dev.budgateway.config;

/**
 * Where a provider's key comes from: {@code env::VAR}, {@code path::FILE}, {@code path_from_env::VAR}
 * (a file whose path is in VAR), {@code dynamic::NAME} (a secret handed over at run time, see {@link Dynamic}), or
 * {@code none}. The key itself never appears in the config.
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

    /**
     * A secret the gateway is handed at run time under {@code name}: a model table's decrypted {@code api_key},
     * stored as {@code store_<endpoint_id>} (the Rust gateway's credential store).
     */
    record Dynamic(String name) implements ApiKeyLocation {
        @Override
        public String toString() {
            return "dynamic::" + name;
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
            case "dynamic" -> new Dynamic(rest);
            default -> null;
        };
    }
}
