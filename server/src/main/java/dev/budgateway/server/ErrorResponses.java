package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;

/** Renders a {@link GatewayError} the way OpenAI does: {@code {"error":{"message","type","param","code"}}}. */
final class ErrorResponses {

    private ErrorResponses() {}

    static ObjectNode body(GatewayError error) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", error.message());
        e.put("type", error.type());
        e.putNull("param");
        if (error.code() == null) {
            e.putNull("code");
        } else {
            e.put("code", error.code());
        }
        return root;
    }

    static AggregatedHttpResponse of(GatewayError error, String requestId) {
        ResponseHeadersBuilder headers = ResponseHeaders.builder(HttpStatus.valueOf(error.status()))
                .contentType(MediaType.JSON_UTF_8);
        // Filters may put text from outside in a header (a block reason an operator wrote): made safe first.
        error.headers().forEach((name, value) -> headers.add(name, HeaderValues.safe(value)));
        if (requestId != null) {
            headers.set("x-request-id", requestId);
        }
        return AggregatedHttpResponse.of(headers.build(), HttpData.wrap(Json.bytes(body(error))));
    }

    /** Whether a request failed because its body was over the limit. */
    static boolean isTooLarge(Throwable t) {
        return causedBy(t, com.linecorp.armeria.common.ContentTooLargeException.class);
    }

    /**
     * Whether {@code t} says the client went away (closed its connection, reset its stream): nothing to
     * answer, and nothing worth more than a debug line.
     */
    static boolean isClientGone(Throwable t) {
        return causedBy(t, com.linecorp.armeria.common.ClosedSessionException.class,
                com.linecorp.armeria.common.stream.ClosedStreamException.class,
                com.linecorp.armeria.common.stream.AbortedStreamException.class,
                com.linecorp.armeria.common.stream.CancelledSubscriptionException.class,
                java.util.concurrent.CancellationException.class);
    }

    /** Whether the request timed out: only its body has a timeout (RequestBodyTimeout). */
    static boolean isBodyTimeout(Throwable t) {
        return causedBy(t, com.linecorp.armeria.server.RequestTimeoutException.class);
    }

    /** Whether {@code t} or one of its causes is of one of {@code types}. */
    private static boolean causedBy(Throwable t, Class<?>... types) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (Class<?> type : types) {
                if (type.isInstance(c)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * What a client whose request body could not be read is told: 413 over the limit, 408 when it took
     * longer than {@code gateway.request_body_timeout_ms}, else 400 (a malformed multipart form, a body cut
     * short). Never the exception's class or text.
     */
    static GatewayError forUnreadableBody(Throwable t, boolean multipart) {
        GatewayError carried = dev.budgateway.plugins.spi.GatewayException.unwrap(t);
        if (carried != null) {
            return carried;
        }
        if (isTooLarge(t)) {
            return forStatus(HttpStatus.REQUEST_ENTITY_TOO_LARGE, null);
        }
        if (isBodyTimeout(t)) {
            return new GatewayError(408, "invalid_request_error", "request_timeout", "The request body did "
                    + "not arrive within the gateway's limit (gateway.request_body_timeout_ms)");
        }
        return GatewayError.badRequest("invalid_request_body", multipart
                ? "The request body is not a complete multipart/form-data form (check its boundary)"
                : "The request body could not be read");
    }

    /** An error for a bare HTTP status the gateway itself produced (404 route, 405, 413, ...). */
    static GatewayError forStatus(HttpStatus status, String description) {
        return switch (status.code()) {
            case 404 -> new GatewayError(404, "invalid_request_error", "unknown_url",
                    "Unknown request URL. See the gateway's documentation for the endpoints it serves.");
            case 405 -> new GatewayError(405, "invalid_request_error", "method_not_allowed",
                    "Method not allowed for this URL");
            case 413 -> new GatewayError(413, "invalid_request_error", "request_too_large",
                    "Request body is larger than the gateway's limit (gateway.max_body_bytes; for file "
                            + "uploads, gateway.max_upload_bytes)");
            case 408, 503 -> new GatewayError(status.code(), "server_error", "unavailable",
                    description != null ? description : status.reasonPhrase());
            default -> new GatewayError(status.code(), status.code() >= 500 ? "server_error" : "invalid_request_error",
                    null, status.reasonPhrase());
        };
    }
}
