package dev.budgateway.filters.fallback;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Holds a stream back until its first content: lifecycle-only chunks (the assistant role, empty deltas)
 * wait here, so a stream that fails before saying anything is an attempt that failed, and the next
 * candidate can take over without the client noticing. Once content (text, a tool call, or a finish)
 * arrives, the held chunks are replayed and the rest flows through untouched. What is held is bounded:
 * an upstream that sends more than {@code maxHeldBytes} without content (a flood of empty deltas) fails
 * the attempt, as one that broke would. Confined to the exchange's event loop.
 */
final class FirstContentGate implements ChunkStream, ChunkSubscriber {

    private final ChunkStream upstream;
    private final Response response;
    private final CompletableFuture<Response> committed = new CompletableFuture<>();
    private final List<Chunk> held = new ArrayList<>(2);
    private final long maxHeldBytes;
    private long heldBytes;
    private ChunkSubscriber downstream;
    private boolean ended;
    private GatewayError failure;

    private FirstContentGate(Response upstreamResponse, long maxHeldBytes) {
        this.upstream = upstreamResponse.body();
        this.response = new Response(upstreamResponse.head(), this);
        this.maxHeldBytes = maxHeldBytes;
    }

    /**
     * Completes with the gated response once content has arrived (or the stream ended normally), or
     * fails with the error the stream ended with before any content.
     */
    static CompletableFuture<Response> open(Response upstreamResponse, long maxHeldBytes) {
        FirstContentGate gate = new FirstContentGate(upstreamResponse, maxHeldBytes);
        gate.upstream.subscribe(gate);
        return gate.committed;
    }

    // ---- from the upstream

    @Override
    public void onChunk(Chunk chunk) {
        if (downstream != null) {
            downstream.onChunk(chunk);
            return;
        }
        if (committed.isDone()) {
            held.add(chunk); // committed, not yet subscribed: the client takes these next
            return;
        }
        heldBytes += chunk.data().length;
        if (heldBytes > maxHeldBytes && !hasContent(chunk)) {
            held.clear();
            upstream.cancel();
            committed.completeExceptionally(new GatewayException(GatewayError.badGateway("The provider sent "
                    + heldBytes + " bytes of stream without any content (max_bytes_before_content)")));
            return;
        }
        held.add(chunk);
        if (hasContent(chunk)) {
            committed.complete(response);
        }
    }

    @Override
    public boolean takesFrames() {
        return downstream != null && downstream.takesFrames(); // once open, as its client does
    }

    @Override
    public void onEnd() {
        if (downstream != null) {
            downstream.onEnd();
            return;
        }
        ended = true;
        committed.complete(response);
    }

    @Override
    public void onError(GatewayError error) {
        if (downstream != null) {
            downstream.onError(error);
            return;
        }
        if (!committed.isDone()) {
            // Nothing has been said yet: this attempt failed, and another may succeed.
            committed.completeExceptionally(new GatewayException(error));
            return;
        }
        failure = error;
    }

    // ---- to the client

    @Override
    public void subscribe(ChunkSubscriber subscriber) {
        for (Chunk c : held) {
            subscriber.onChunk(c);
        }
        held.clear();
        if (failure != null) {
            subscriber.onError(failure);
        } else if (ended) {
            subscriber.onEnd();
        } else {
            downstream = subscriber;
        }
    }

    private static final java.util.Set<String> LIFECYCLE_EVENTS = java.util.Set.of("response.created",
            "response.in_progress", "response.queued");

    @Override
    public void cancel() {
        upstream.cancel();
    }

    @Override
    public void pause() {
        upstream.pause();
    }

    @Override
    public void resume() {
        upstream.resume();
    }

    static boolean hasContent(Chunk chunk) {
        if (chunk.isUnary()) {
            return true; // Raw bytes (speech audio) are all content.
        }
        if (chunk.eventName() != null) {
            // Named events (the Responses API): all but the lifecycle ones that open a stream.
            return !LIFECYCLE_EVENTS.contains(chunk.eventName());
        }
        String text = chunk.text();
        if (text != null && !text.isEmpty()) {
            return true;
        }
        for (JsonNode choice : chunk.json().path("choices")) {
            JsonNode finish = choice.get("finish_reason");
            JsonNode delta = choice.path("delta");
            if ((finish != null && !finish.isNull()) || delta.has("tool_calls") || delta.has("function_call")
                    || (delta.path("reasoning_content").isTextual() && !delta.get("reasoning_content").asText()
                            .isEmpty())) {
                return true;
            }
        }
        // An error payload is content too: it must reach the client rather than be swallowed.
        return chunk.json().has("error");
    }
}
