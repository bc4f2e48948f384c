package dev.budgateway.plugins.spi;

/** The API operation a request calls; a model declares which of these it supports. */
public enum ApiEndpoint {
    CHAT("chat", "/chat/completions"),
    COMPLETIONS("completions", "/completions"),
    EMBEDDING("embedding", "/embeddings");

    private final String configName;
    private final String path;

    ApiEndpoint(String configName, String path) {
        this.configName = configName;
        this.path = path;
    }

    /** The name used in a model's {@code endpoints = [...]} list. */
    public String configName() {
        return configName;
    }

    /** The path below an OpenAI-style {@code api_base}. */
    public String path() {
        return path;
    }

    public static ApiEndpoint fromConfigName(String name) {
        for (ApiEndpoint e : values()) {
            if (e.configName.equals(name)) {
                return e;
            }
        }
        return null;
    }
}
