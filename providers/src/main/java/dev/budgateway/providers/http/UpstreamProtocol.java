package dev.budgateway.providers.http;

import com.linecorp.armeria.common.HttpRequest;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.providers.ProviderCall;
import java.util.function.Consumer;

/**
 * One provider's wire protocol: the HTTP request for a call and how to read what comes back.
 * {@link HttpProvider} does the rest (timeouts, cancellation, transport errors) the same way for all.
 */
public interface UpstreamProtocol {

    /** How the upstream's answer to a call is read. */
    enum Mode {
        /** One JSON body, read whole and translated by {@link #unary}. */
        UNARY,
        /** A stream of events, decoded by {@link #decoder} and translated by {@link #streamTranslator}. */
        EVENTS,
        /** A body passed through as it arrives (speech audio). */
        RAW
    }

    Mode mode(ProviderCall call);

    /**
     * The request to send to {@code target} (whose base path the request's path starts with); may fail with a
     * {@link dev.budgateway.plugins.spi.GatewayException} (e.g. 400).
     */
    HttpRequest request(ProviderCall call, dev.budgateway.providers.pool.UpstreamTarget target);

    /**
     * The response for a successful unary answer.
     *
     * @param contentType the upstream's content type, or {@code null}
     */
    Response unary(ProviderCall call, int status, String contentType, byte[] body);

    /** See {@link dev.budgateway.providers.Provider#continuation}. */
    default com.fasterxml.jackson.databind.node.ObjectNode continuation(
            com.fasterxml.jackson.databind.node.ObjectNode chatBody, String partial) {
        return null;
    }

    default EventDecoder decoder(Consumer<dev.budgateway.providers.sse.SseEvent> sink) {
        return new dev.budgateway.providers.sse.SseDecoder(sink);
    }

    /**
     * The media type of an event stream from this upstream; an answer to a stream request with another is
     * not the stream (an HTML error page, a proxy's login form) and fails the attempt.
     */
    default String eventStreamType() {
        return "text/event-stream";
    }

    StreamTranslator streamTranslator(ProviderCall call);

    /** The client's error for an upstream error status. */
    GatewayError error(int status, byte[] body, String retryAfter);
}
