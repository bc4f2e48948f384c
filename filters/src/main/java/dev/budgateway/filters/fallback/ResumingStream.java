package dev.budgateway.filters.fallback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Response;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A chat stream that survives its upstream failing after content has been sent ({@code resume = true}): the
 * text so far is kept, and on a retryable failure the next attempt is asked to continue it (the partial
 * answer as assistant prefill). Its chunks are spliced in after the ones already sent, without a second
 * role chunk; the client sees one uninterrupted answer. When no attempt can continue, the failure goes to
 * the client as it would have.
 */
final class ResumingStream implements ChunkStream {

    private final ChunkStream first;
    /** Starts the continuation of a partial answer, or gives {@code null} when nothing can continue it. */
    private final Function<String, CompletionStage<Response>> resume;
    private final StringBuilder text = new StringBuilder();
    private volatile ChunkStream current;
    private volatile boolean cancelled;
    /** Whether the consumer holds the stream back: a continuation starts paused too. */
    private boolean paused;

    ResumingStream(ChunkStream first, Function<String, CompletionStage<Response>> resume) {
        this.first = first;
        this.current = first;
        this.resume = resume;
    }

    @Override
    public void subscribe(ChunkSubscriber subscriber) {
        first.subscribe(new Forwarder(subscriber, false));
    }

    private final class Forwarder implements ChunkSubscriber {
        private final ChunkSubscriber downstream;
        private final boolean continuation;

        Forwarder(ChunkSubscriber downstream, boolean continuation) {
            this.downstream = downstream;
            this.continuation = continuation;
        }

        @Override
        public void onChunk(Chunk chunk) {
            if (continuation && isRoleOnly(chunk)) {
                return;
            }
            String t = chunk.text();
            if (t != null) {
                text.append(t);
            }
            downstream.onChunk(chunk);
        }

        @Override
        public void onEnd() {
            downstream.onEnd();
        }

        @Override
        public void onError(GatewayError error) {
            CompletionStage<Response> next = cancelled || !error.isRetryable() ? null : resume.apply(text.toString());
            if (next == null) {
                downstream.onError(error);
                return;
            }
            next.whenComplete((response, failure) -> {
                if (failure != null || cancelled) {
                    if (response != null) {
                        response.body().cancel();
                    }
                    downstream.onError(error);
                    return;
                }
                current = response.body();
                if (paused) {
                    current.pause();
                }
                response.body().subscribe(new Forwarder(downstream, true));
            });
        }
    }

    /** The continuation's opening chunk: the assistant role again, with no content. */
    private static boolean isRoleOnly(Chunk chunk) {
        JsonNode delta = chunk.json().path("choices").path(0).path("delta");
        if (!(delta instanceof ObjectNode d) || !d.has("role")) {
            return false;
        }
        JsonNode content = d.get("content");
        return d.size() <= 2 && (content == null || content.isNull() || content.asText().isEmpty());
    }

    @Override
    public void cancel() {
        cancelled = true;
        current.cancel();
    }

    @Override
    public void pause() {
        paused = true;
        current.pause();
    }

    @Override
    public void resume() {
        paused = false;
        current.resume();
    }
}
