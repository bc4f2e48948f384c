package dev.budgateway.plugins.spi;

/**
 * The API operation a request calls; a model declares which of these it supports. The config names are
 * budgateway's capability names, so model tables written for it keep working.
 */
public enum ApiEndpoint {
    CHAT("chat", "/chat/completions"),
    COMPLETIONS("completions", "/completions"),
    EMBEDDING("embedding", "/embeddings"),
    MODERATION("moderation", "/moderations"),
    AUDIO_TRANSCRIPTION("audio_transcription", "/audio/transcriptions"),
    AUDIO_TRANSLATION("audio_translation", "/audio/translations"),
    TEXT_TO_SPEECH("text_to_speech", "/audio/speech"),
    IMAGE_GENERATION("image_generation", "/images/generations"),
    IMAGE_EDIT("image_edit", "/images/edits"),
    IMAGE_VARIATION("image_variation", "/images/variations"),
    RESPONSES("responses", "/responses");

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

    /** Whether the request is {@code multipart/form-data} (a file upload) rather than JSON. */
    public boolean isMultipart() {
        return this == AUDIO_TRANSCRIPTION || this == AUDIO_TRANSLATION || this == IMAGE_EDIT
                || this == IMAGE_VARIATION;
    }

    /** Whether a {@code "stream": true} request gets a server-sent-event stream back. */
    public boolean canStream() {
        return this == CHAT || this == COMPLETIONS || this == RESPONSES || this == AUDIO_TRANSCRIPTION
                || this == IMAGE_GENERATION || this == IMAGE_EDIT;
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
