package dev.budgateway.plugins.spi;

/**
 * The API operation a request calls; a model declares which of its {@linkplain #isCapability capabilities}
 * it supports. The config names are budgateway's capability names, so model tables written for it keep
 * working. {@link #MODELS} and {@link #COUNT_TOKENS} are answered by the gateway itself, after the filters
 * before {@code routing} (authentication, blocking) have run.
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
    RESPONSES("responses", "/responses"),
    /** {@code GET /v1/models}, {@code GET /v1/models/{model}}: the models the caller may use. */
    MODELS("models", "/models"),
    /** {@code POST /v1/messages/count_tokens}: Anthropic's token count, asked of the model's provider. */
    COUNT_TOKENS("count_tokens", "/messages/count_tokens");

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

    /** Whether a model may list this in {@code endpoints} (every operation a provider serves). */
    public boolean isCapability() {
        return this != MODELS && this != COUNT_TOKENS;
    }

    /** The capability of this config name, or {@code null}. */
    public static ApiEndpoint fromConfigName(String name) {
        for (ApiEndpoint e : values()) {
            if (e.isCapability() && e.configName.equals(name)) {
                return e;
            }
        }
        return null;
    }
}
