package dev.budgateway.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import java.util.function.Consumer;

/**
 * OpenAI's API: chunks pass through as they are. Chat and completion streams end with {@code [DONE]} and
 * carry a usage chunk only when the client asked for it; the Responses API names its events and reports
 * a failure as an {@code error} event.
 */
final class OpenAiClientProtocol implements ClientProtocol {

    private final ApiEndpoint endpoint;
    private final boolean clientWantsUsage;

    OpenAiClientProtocol(ApiEndpoint endpoint, boolean clientWantsUsage) {
        this.endpoint = endpoint;
        this.clientWantsUsage = clientWantsUsage;
    }

    private boolean chatLike() {
        return endpoint == ApiEndpoint.CHAT || endpoint == ApiEndpoint.COMPLETIONS;
    }

    @Override
    public byte[] unary(byte[] body) {
        return body;
    }

    @Override
    public boolean takesFrames() {
        return chatLike(); // what a chat or completion upstream streams is what the client reads
    }

    @Override
    public void event(Chunk chunk, Consumer<HttpData> out) {
        if (chunk.isFrames()) {
            out.accept(HttpData.wrap(chunk.array(), chunk.offset(), chunk.length()));
            return;
        }
        // The gateway always asks upstreams for usage; a client that did not ask does not get it.
        if (chatLike() && !clientWantsUsage && chunk.isUsageOnly()) {
            return;
        }
        out.accept(SseFrames.event(chunk.eventName(), chunk.data()));
    }

    @Override
    public void end(Consumer<HttpData> out) {
        if (chatLike()) {
            out.accept(SseFrames.DONE);
        }
    }

    @Override
    public void error(GatewayError error, Consumer<HttpData> out) {
        if (chatLike()) {
            out.accept(SseFrames.error(error));
            out.accept(SseFrames.DONE);
            return;
        }
        var event = Json.MAPPER.createObjectNode();
        event.put("type", "error");
        event.put("code", error.code());
        event.put("message", error.message());
        event.putNull("param");
        out.accept(SseFrames.event("error", Json.bytes(event)));
    }

    @Override
    public AggregatedHttpResponse errorResponse(GatewayError error, String requestId) {
        return ErrorResponses.of(error, requestId);
    }
}
