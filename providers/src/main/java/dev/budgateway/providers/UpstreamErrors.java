package dev.budgateway.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.common.stream.AbortedStreamException;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * Maps what went wrong upstream to what the client sees: an upstream 4xx keeps its status and message,
 * a 5xx or a connection failure becomes 502, a timeout 504. The provider's key is scrubbed from any
 * message that echoes it.
 */
public final class UpstreamErrors {

    private static final int MAX_MESSAGE = 2000;

    private UpstreamErrors() {}

    /** An error for an upstream HTTP error response. */
    public static GatewayError fromStatus(String provider, int status, byte[] body, String retryAfter, String secret) {
        String message = null;
        String type = null;
        String code = null;
        try {
            JsonNode json = Json.parse(body);
            JsonNode error = json.path("error");
            if (error.isObject()) {
                message = error.path("message").asText(null);
                type = error.path("type").asText(null);
                JsonNode c = error.path("code");
                code = c.isNull() || c.isMissingNode() ? null : c.asText();
            } else if (error.isTextual()) {
                message = error.asText();
            } else if (json.path("message").isTextual()) {
                message = json.path("message").asText();
            }
        } catch (Exception notJson) {
            // Fall through to the raw text.
        }
        if (message == null) {
            message = new String(body, StandardCharsets.UTF_8).strip();
            if (message.isEmpty()) {
                message = "HTTP " + status;
            }
        }
        message = scrub(message, secret);
        GatewayError error;
        if (status >= 500) {
            error = new GatewayError(502, "upstream_error", "upstream_" + status,
                    "Provider '" + provider + "' returned HTTP " + status + ": " + message);
        } else {
            error = new GatewayError(status, type != null ? type : typeFor(status), code, message);
        }
        if (retryAfter != null && (status == 429 || status == 503)) {
            error = error.withHeader("retry-after", retryAfter);
        }
        return error;
    }

    /** An error for a failure to get a response at all. */
    public static GatewayError fromThrowable(String provider, Throwable t, long timeoutMs) {
        GatewayError carried = GatewayException.unwrap(t);
        if (carried != null) {
            return carried;
        }
        Throwable cause = t;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ResponseTimeoutException || cause instanceof TimeoutException) {
            return GatewayError.timeout("Provider '" + provider + "' did not answer within " + timeoutMs + " ms");
        }
        if (cause instanceof UnprocessedRequestException || hasCause(cause, ConnectException.class)) {
            return new GatewayError(502, "upstream_error", "upstream_unreachable",
                    "Could not connect to provider '" + provider + "'");
        }
        if (cause instanceof AbortedStreamException) {
            return new GatewayError(502, "upstream_error", "upstream_aborted",
                    "The connection to provider '" + provider + "' was aborted");
        }
        return new GatewayError(502, "upstream_error", "upstream_failed",
                "The request to provider '" + provider + "' failed: " + cause.getClass().getSimpleName());
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static String scrub(String message, String secret) {
        String m = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message;
        return secret == null || secret.length() < 4 ? m : m.replace(secret, "***");
    }

    private static String typeFor(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> "invalid_request_error";
        };
    }
}
