package dev.budgateway.providers.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import io.netty.util.concurrent.EventExecutor;
import java.util.function.Function;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * An upstream SSE body as a {@link ChunkStream}: one chunk per event, pushed as the bytes arrive.
 * {@code [DONE]} is consumed here (the server writes its own). A stream that ends before it has
 * finished (no {@code [DONE]} and no {@code finish_reason}) is an error, never a silent clean end.
 */
public final class SseChunkStream implements ChunkStream {

    private final StreamMessage<HttpData> body;
    private final EventExecutor eventLoop;
    private final Function<Throwable, GatewayError> errors;
    private final Runnable onFirstEvent;
    private final GatewayError truncated;
    private volatile Subscription subscription;
    private volatile boolean cancelled;

    /**
     * @param errors maps a transport failure to the client's error
     * @param onFirstEvent run once, when the first event arrives (stops a first-token timer)
     * @param truncated the error for a stream that ends before it has finished
     */
    public SseChunkStream(StreamMessage<HttpData> body, EventExecutor eventLoop,
            Function<Throwable, GatewayError> errors, Runnable onFirstEvent, GatewayError truncated) {
        this.body = body;
        this.eventLoop = eventLoop;
        this.errors = errors;
        this.onFirstEvent = onFirstEvent;
        this.truncated = truncated;
    }

    @Override
    public void subscribe(ChunkSubscriber subscriber) {
        body.subscribe(new Subscriber<HttpData>() {
            private final SseDecoder decoder = new SseDecoder(this::onEvent);
            private boolean first = true;
            private boolean finished;
            private boolean ended;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                if (cancelled) {
                    s.cancel();
                } else {
                    s.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(HttpData data) {
                if (!cancelled && !ended) {
                    decoder.feed(data.array());
                }
            }

            private void onEvent(SseEvent event) {
                if (first) {
                    first = false;
                    onFirstEvent.run();
                }
                if (cancelled || ended) {
                    return;
                }
                if (event.isDone()) {
                    finished = true;
                    return;
                }
                Chunk chunk = Chunk.event(event.data());
                if (!finished && hasFinishReason(chunk.json())) {
                    finished = true;
                }
                subscriber.onChunk(chunk);
            }

            @Override
            public void onError(Throwable t) {
                if (!cancelled && !ended) {
                    ended = true;
                    subscriber.onError(errors.apply(t));
                }
            }

            @Override
            public void onComplete() {
                if (cancelled || ended) {
                    return;
                }
                decoder.finish();
                ended = true;
                if (finished) {
                    subscriber.onEnd();
                } else {
                    subscriber.onError(truncated);
                }
            }
        }, eventLoop);
    }

    private static boolean hasFinishReason(JsonNode json) {
        for (JsonNode choice : json.path("choices")) {
            JsonNode reason = choice.get("finish_reason");
            if (reason != null && !reason.isNull()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void cancel() {
        cancelled = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        } else {
            body.abort();
        }
    }
}
