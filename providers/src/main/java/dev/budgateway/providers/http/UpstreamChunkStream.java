package dev.budgateway.providers.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import io.netty.util.concurrent.EventExecutor;
import dev.budgateway.providers.sse.SseEvent;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A streamed upstream body as a {@link ChunkStream}, pushed as the bytes arrive: decoded into events,
 * each translated into zero or more chunks. A stream that ends before the translator saw it finish is an
 * error, never a silent clean end. A {@code null} decoder passes the bytes through as raw chunks.
 */
public final class UpstreamChunkStream implements ChunkStream {

    private final StreamMessage<HttpData> body;
    private final EventExecutor eventLoop;
    private final Function<Consumer<SseEvent>, EventDecoder> decoders;
    private final StreamTranslator translator;
    private final Function<Throwable, GatewayError> errors;
    private final Runnable onFirstData;
    private final GatewayError truncated;
    private volatile Subscription subscription;
    private volatile boolean cancelled;

    /**
     * @param decoders makes the decoder for this stream, or {@code null} for a raw body
     * @param errors maps a transport failure to the client's error
     * @param onFirstData run once, when the first bytes arrive (stops a first-token timer)
     * @param truncated the error for a stream that ends before it has finished
     */
    public UpstreamChunkStream(StreamMessage<HttpData> body, EventExecutor eventLoop,
            Function<Consumer<SseEvent>, EventDecoder> decoders,
            StreamTranslator translator, Function<Throwable, GatewayError> errors, Runnable onFirstData,
            GatewayError truncated) {
        this.body = body;
        this.eventLoop = eventLoop;
        this.decoders = decoders;
        this.translator = translator;
        this.errors = errors;
        this.onFirstData = onFirstData;
        this.truncated = truncated;
    }

    @Override
    public void subscribe(ChunkSubscriber subscriber) {
        body.subscribe(new Subscriber<HttpData>() {
            private final StreamTranslator.Emitter emitter = new StreamTranslator.Emitter() {
                @Override
                public void chunk(Chunk chunk) {
                    if (!cancelled && !ended) {
                        subscriber.onChunk(chunk);
                    }
                }

                @Override
                public void finished() {
                    finished = true;
                }

                @Override
                public void fail(GatewayError error) {
                    if (!cancelled && !ended) {
                        ended = true;
                        subscriber.onError(error);
                        Subscription s = subscription;
                        if (s != null) {
                            s.cancel();
                        }
                    }
                }
            };
            private final EventDecoder decoder = decoders == null ? null : decoders.apply(e -> translator.onEvent(e,
                    emitter));
            private boolean first = true;
            private boolean finished = decoders == null;
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
                if (cancelled || ended) {
                    return;
                }
                if (first) {
                    first = false;
                    onFirstData.run();
                }
                if (decoder == null) {
                    if (!data.isEmpty()) {
                        subscriber.onChunk(Chunk.bytes(data.array()));
                    }
                } else {
                    decoder.feed(data.array());
                }
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
                if (decoder != null) {
                    decoder.finish();
                }
                if (ended) {
                    return;
                }
                ended = true;
                if (finished) {
                    subscriber.onEnd();
                } else {
                    subscriber.onError(truncated);
                }
            }
        }, eventLoop);
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
