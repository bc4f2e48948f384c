package dev.budgateway.plugins.spi;

/** One thing wrong in the config, with the key path it is at (e.g. {@code models.gpt.routing[1]}). */
public record ConfigProblem(String path, String message) {

    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
