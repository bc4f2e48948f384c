package dev.budgateway.plugins.spi;

import java.util.Map;
import java.util.Objects;

/**
 * An error the client sees: rendered as {@code {"error":{"message","type","code"}}} with this status.
 * Messages are written for the client: never a stack trace, never a key.
 */
public record GatewayError(int status, String type, String code, String message, Map<String, String> headers) {

    public GatewayError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public GatewayError(int status, String type, String code, String message) {
        this(status, type, code, message, Map.of());
    }

    public static GatewayError badRequest(String code, String message) {
        return new GatewayError(400, "invalid_request_error", code, message);
    }

    public static GatewayError unauthorized(String message) {
        return new GatewayError(401, "authentication_error", "invalid_api_key", message);
    }

    public static GatewayError forbidden(String code, String message) {
        return new GatewayError(403, "permission_error", code, message);
    }

    public static GatewayError notFound(String code, String message) {
        return new GatewayError(404, "invalid_request_error", code, message);
    }

    public static GatewayError internal(String message) {
        return new GatewayError(500, "server_error", "internal_error", message);
    }

    public static GatewayError badGateway(String message) {
        return new GatewayError(502, "upstream_error", "bad_gateway", message);
    }

    /**
     * How a request ends when its client went away: nobody reads it, but the chain, the drivers and the
     * records need an end (499, nginx's "client closed request").
     */
    public static GatewayError clientGone() {
        return CLIENT_GONE;
    }

    private static final GatewayError CLIENT_GONE = new GatewayError(499, "client_closed", "client_closed_request",
            "The client went away");

    public static GatewayError timeout(String message) {
        return new GatewayError(504, "timeout_error", "upstream_timeout", message);
    }

    /** The same error with an extra response header, e.g. {@code retry-after}. */
    public GatewayError withHeader(String name, String value) {
        var copy = new java.util.HashMap<>(headers);
        copy.put(name, value);
        return new GatewayError(status, type, code, message, copy);
    }

    /** Whether trying another provider could succeed: connection failures, timeouts, 429 and 5xx. */
    public boolean isRetryable() {
        return status == 429 || status >= 500;
    }

    public GatewayException toException() {
        return new GatewayException(this);
    }
}
