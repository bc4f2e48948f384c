package dev.budgateway.providers;

import dev.budgateway.config.ApiKeyLocation;
import dev.budgateway.config.ConfigText;
import dev.budgateway.plugins.spi.ConfigProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Reads provider keys from where the config says they are. Messages name the place, never the key. A key
 * goes into a request header, so one with a control character (a line break inside it) is refused here
 * rather than failing every request later; key files are read only if they are small regular files.
 */
public final class ApiKeys {

    /** Far above any real key; a bigger "key file" is the wrong file ({@code /dev/zero}, a log). */
    private static final long MAX_KEY_FILE_BYTES = 64 * 1024;

    private ApiKeys() {}

    /** The key, or {@code null} for {@link ApiKeyLocation#NONE} or when a problem was added. */
    public static String resolve(ApiKeyLocation location, String path, Function<String, String> env,
            List<ConfigProblem> problems) {
        return resolve(location, path, env, name -> null, problems);
    }

    /**
     * As {@link #resolve(ApiKeyLocation, String, Function, List)}, with {@code credentials} answering
     * {@code dynamic::NAME} (a model table's decrypted secret).
     */
    public static String resolve(ApiKeyLocation location, String path, Function<String, String> env,
            Function<String, String> credentials, List<ConfigProblem> problems) {
        if (location instanceof ApiKeyLocation.Dynamic d) {
            String key = credentials.apply(d.name());
            if (key == null || key.isBlank()) {
                problems.add(new ConfigProblem(path, "no secret named " + d.name() + " (the model's api_key is "
                        + "missing)"));
                return null;
            }
            return checked(key.strip(), "the secret " + d.name(), path, problems);
        }
        if (location instanceof ApiKeyLocation.Env e) {
            String key = env.apply(e.variable());
            if (key == null || key.isBlank()) {
                problems.add(new ConfigProblem(path, "environment variable " + e.variable() + " is not set"));
                return null;
            }
            return checked(key.strip(), "environment variable " + e.variable(), path, problems);
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
        String where = "key file " + ConfigText.printable(file);
        try {
            Path p = Path.of(file);
            if (!Files.isRegularFile(p) || Files.size(p) > MAX_KEY_FILE_BYTES) {
                problems.add(new ConfigProblem(path, where + " is not a regular file of at most "
                        + MAX_KEY_FILE_BYTES + " bytes"));
                return null;
            }
            String key = Files.readString(p, StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                problems.add(new ConfigProblem(path, where + " is empty"));
                return null;
            }
            return checked(key, where, path, problems);
        } catch (IOException | InvalidPathException e) {
            problems.add(new ConfigProblem(path, "cannot read " + where));
            return null;
        }
    }

    private static String checked(String key, String where, String path, List<ConfigProblem> problems) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                problems.add(new ConfigProblem(path, "the key in " + where + " contains a control character "
                        + "(a line break?): it cannot be sent in a header"));
                return null;
            }
        }
        return key;
    }
}
