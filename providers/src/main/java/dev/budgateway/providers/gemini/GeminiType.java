package dev.budgateway.providers.gemini;

import dev.budgateway.providers.http.ChatOnlyType;

/** Gemini on Google AI Studio, as {@code google_ai_studio_gemini} (TensorZero's name) or {@code gemini}. */
public final class GeminiType {

    private static final String API_BASE = "https://generativelanguage.googleapis.com/v1beta";
    private static final String KEY = "GOOGLE_AI_STUDIO_API_KEY";

    public static final ChatOnlyType GOOGLE_AI_STUDIO = new ChatOnlyType("google_ai_studio_gemini", API_BASE, KEY,
            GeminiProtocol::new);
    public static final ChatOnlyType GEMINI = new ChatOnlyType("gemini", API_BASE, KEY, GeminiProtocol::new);

    private GeminiType() {}
}
