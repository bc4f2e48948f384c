package dev.budgateway.providers.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.sse.SseEvent;
import java.io.IOException;

/** A {@link StreamTranslator} for streams whose events carry JSON: an event that is not JSON fails the stream. */
public abstract class JsonEventTranslator implements StreamTranslator {

    private final String providerName;

    protected JsonEventTranslator(String providerName) {
        this.providerName = providerName;
    }

    /**
     * @param event the event's name, or {@code null}
     */
    protected abstract void onEvent(String event, JsonNode data, Emitter out);

    @Override
    public final void onEvent(SseEvent event, Emitter out) {
        JsonNode data;
        try {
            data = Json.parse(event.data());
        } catch (IOException e) {
            out.fail(new GatewayError(502, "upstream_error", "upstream_invalid_stream", "Provider '" + providerName
                    + "' sent an event that is not JSON"));
            return;
        }
        onEvent(event.event(), data, out);
    }

    /** An error for a failure the upstream reported inside the stream: 429 when it was rate limiting. */
    protected GatewayError midStreamError(String code, boolean rateLimited, String message) {
        return new GatewayError(rateLimited ? 429 : 502, rateLimited ? "rate_limit_error" : "upstream_error", code,
                "Provider '" + providerName + "' failed mid-stream: " + message);
    }
}
