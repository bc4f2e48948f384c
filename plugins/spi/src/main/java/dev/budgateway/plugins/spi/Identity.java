package dev.budgateway.plugins.spi;

import java.util.Map;

/**
 * Who is calling, as an authentication filter established it ({@link Keys#IDENTITY}). Identifiers only,
 * never the credential itself.
 *
 * @param method how the caller proved it: {@code api_key}, {@code jwt}, ...
 * @param apiKeyId the id of the API key used, or {@code null}
 * @param userId the user the credential belongs to, or {@code null}
 * @param projectId the project the credential belongs to, or {@code null}
 * @param attributes further identifiers the authenticating filter knows (claims, metadata), for later
 *     filters and analytics
 */
public record Identity(String method, String apiKeyId, String userId, String projectId,
        Map<String, String> attributes) {

    public Identity {
        if (method == null || method.isEmpty()) {
            throw new IllegalArgumentException("an identity names its method");
        }
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
