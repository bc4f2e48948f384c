package dev.budgateway.providers;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.plugins.spi.ConfigProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Reads provider keys from where the config says they are. Messages name the place, never the key. */
public final class ApiKeys {

    private ApiKeys() {}

    /** The key, or {@code null} for {@link ApiKeyLocation#NONE} or when a problem was added. */
    public static String resolve(ApiKeyLocation location, String path, Function<String, String> env,
            List<ConfigProblem> problems) {
        if (location instanceof ApiKeyLocation.Env e) {
            String key = env.apply(e.variable());
            if (key == null || key.isBlank()) {
                problems.add(new ConfigProblem(path, "environment variable " + e.variable() + " is not set"));
                return null;
            }
            return key.strip();
        }
        if (location instanceof ApiKeyLocation.File f) {
            return readFile(f.path(), path, problems);
        }
        if (location instanceof ApiKeyLocation.FileFromEnv f) {
            String file = env.apply(f.variable());
            if (file == null || file.isBlank()) {
                problems.add(new ConfigProblem(path, "environment variable " + f.variable() + " is not set"));
                return null;
            }
            return readFile(file, path, problems);
        }
        return null;
    }

    private static String readFile(String file, String path, List<ConfigProblem> problems) {
        try {
            String key = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                problems.add(new ConfigProblem(path, "key file " + file + " is empty"));
                return null;
            }
            return key;
        } catch (IOException e) {
            problems.add(new ConfigProblem(path, "cannot read key file " + file + " (" + e.getClass().getSimpleName()
                    + ")"));
            return null;
        }
    }
}
