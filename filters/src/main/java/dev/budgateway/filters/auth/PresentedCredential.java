package dev.budgateway.filters.auth;

import java.util.function.Function;

/**
 * The key or token a request presents: {@code Authorization: Bearer <key>} (OpenAI SDKs; a value without the
 * scheme counts as the key, as in the Rust gateway), else {@code x-api-key: <key>} (Anthropic SDKs, Claude Code).
 * The auth filter and the admin endpoints read credentials the same way.
 */
public final class PresentedCredential {

    private static final String BEARER = "bearer ";

    private PresentedCredential() {}

    /** The credential, or {@code null} when the request has none; {@code header} reads a request header. */
    public static String of(Function<String, String> header) {
        String authorization = header.apply("authorization");
        if (authorization != null) {
            String v = authorization.strip();
            if (v.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                v = v.substring(BEARER.length()).strip();
            }
            if (!v.isEmpty()) {
                return v;
            }
        }
        String apiKey = header.apply("x-api-key");
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKey.strip();
        }
        return null;
    }
}
