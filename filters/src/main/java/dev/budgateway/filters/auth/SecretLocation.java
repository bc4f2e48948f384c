package dev.budgateway.filters.auth;

import dev.budgateway.plugins.spi.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** Where a secret of the auth filter's config is: {@code env::VAR} or {@code path::FILE}, never the secret itself. */
final class SecretLocation {

    private SecretLocation() {}

    /** The secret, stripped; a problem names {@code where} and the variable or file, never the value. */
    static String read(String location, String where, Function<String, String> env) throws ConfigException {
        String value;
        if (location.startsWith("env::")) {
            value = env.apply(location.substring(5));
            if (value == null || value.isBlank()) {
                throw new ConfigException(where, "environment variable " + location.substring(5) + " is not set");
            }
        } else if (location.startsWith("path::")) {
            try {
                value = Files.readString(Path.of(location.substring(6)), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(where, "cannot read " + location.substring(6));
            }
        } else {
            throw new ConfigException(where, "expected env::VAR or path::FILE (the secret does not belong in the file)");
        }
        value = value.strip();
        if (value.isEmpty()) {
            throw new ConfigException(where, "the secret is empty");
        }
        return value;
    }
}
