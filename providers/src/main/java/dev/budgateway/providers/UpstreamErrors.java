package dev.budgateway.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.common.ClosedSessionException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.stream.ClosedStreamException;
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

    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(UpstreamErrors.class);

    private static final int MAX_MESSAGE = 2000;
    /** Linux's errno values for a full file table: the process's, the system's. */
    private static final int EMFILE = 24;
    private static final int ENFILE = 23;
    /** An error's type and code are short names; a long one is not a name. */
    private static final int MAX_FIELD = 100;

    private UpstreamErrors() {}

    /** An error for an upstream HTTP error response. */
    public static GatewayError fromStatus(String provider, int status, byte[] body, String retryAfter, String secret) {
        Parsed p = Parsed.of(body, status, secret);
        GatewayError error;
        if (status >= 500) {
            error = new GatewayError(502, "upstream_error", "upstream_" + status,
                    "Provider '" + provider + "' returned HTTP " + status + ": " + p.message);
        } else {
            error = new GatewayError(status, p.type != null ? p.type : typeFor(status), p.code, p.message);
        }
        if (retryAfter != null && (status == 429 || status == 503)) {
            error = error.withHeader("retry-after", retryAfter);
        }
        return error;
    }

    /** A 502 for an upstream that said "success" with an error in the body ({@code {"error":...}} with 200). */
    public static GatewayError errorInSuccess(String provider, int status, byte[] body, String secret) {
        return new GatewayError(502, "upstream_error", "upstream_error_in_success", "Provider '" + provider
                + "' answered HTTP " + status + " with an error: " + Parsed.of(body, status, secret).message);
    }

    /**
     * What an error body says, scrubbed of the provider's key in every part (an upstream may echo the key
     * in its type or code as well as its message) before anything is cut, so no part of the key survives.
     */
    private record Parsed(String message, String type, String code) {

        static Parsed of(byte[] body, int status, String secret) {
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
            return new Parsed(scrub(message, secret, MAX_MESSAGE), type == null ? null : scrub(type, secret,
                    MAX_FIELD), code == null ? null : scrub(code, secret, MAX_FIELD));
        }
    }

    /** A 502 for an answer over the gateway's limit; {@code limits} names the keys that set it. */
    public static GatewayError tooLarge(String provider, String limits) {
        return new GatewayError(502, "upstream_error", "upstream_too_large", "Provider '" + provider
                + "' sent more than the gateway takes (" + limits + ")");
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
        if (outOfFiles(cause)) {
            // Not the upstream's failure but the gateway's: a 503 the client may retry, not a 502.
            return new GatewayError(503, "server_error", "overloaded", "The gateway has no file descriptor left "
                    + "for a connection to provider '" + provider + "' (its open-file limit); retry shortly",
                    java.util.Map.of("retry-after", "1"));
        }
        if (cause instanceof UnprocessedRequestException || hasCause(cause, ConnectException.class)) {
            if (logger.isDebugEnabled()) {
                logger.debug("Provider '{}': no connection ({})", provider, rootCause(cause));
            }
            return new GatewayError(502, "upstream_error", "upstream_unreachable",
                    "Could not connect to provider '" + provider + "'");
        }
        if (cause instanceof AbortedStreamException) {
            return new GatewayError(502, "upstream_error", "upstream_aborted",
                    "The connection to provider '" + provider + "' was aborted");
        }
        if (hasCause(cause, ContentTooLargeException.class)) {
            return tooLarge(provider, "max_upstream_body_bytes, max_upstream_stream_bytes");
        }
        if (hasCause(cause, ClosedSessionException.class) || hasCause(cause, ClosedStreamException.class)) {
            return new GatewayError(502, "upstream_error", "upstream_closed", "The connection to provider '"
                    + provider + "' closed before the answer was complete");
        }
        if (hasCause(cause, javax.net.ssl.SSLException.class)) {
            return new GatewayError(502, "upstream_error", "upstream_tls", "The TLS connection to provider '"
                    + provider + "' failed");
        }
        // The client sees what happened, never a class name; the log has the cause.
        logger.debug("The request to provider '{}' failed", provider, cause);
        return new GatewayError(502, "upstream_error", "upstream_failed", "The request to provider '" + provider
                + "' failed");
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        return hasCause(t, type::isInstance);
    }

    private static boolean hasCause(Throwable t, java.util.function.Predicate<Throwable> test) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (test.test(c)) {
                return true;
            }
        }
        return false;
    }

    static String scrub(String text, String secret, int max) {
        String s = secret == null || secret.length() < 4 ? text : text.replace(secret, "***");
        return s.length() > max ? s.substring(0, max) + "..." : s;
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

    /** EMFILE or ENFILE: the process, or the system, is at its limit of open files. */
    private static boolean outOfFiles(Throwable t) {
        return hasCause(t, c -> c instanceof io.netty.channel.unix.Errors.NativeIoException e
                && (e.expectedErr() == -EMFILE || e.expectedErr() == -ENFILE));
    }

    /** The innermost cause's class and message: which of the many ways a connection fails it was. */
    private static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
