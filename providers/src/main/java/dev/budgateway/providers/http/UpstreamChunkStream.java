package dev.budgateway.providers.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.providers.sse.SseEvent;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A streamed upstream body as a {@link ChunkStream}, pushed as the bytes arrive: decoded into events,
 * each translated into zero or more chunks. A stream that ends before the translator saw it finish is an
 * error, never a silent clean end, and so is one that stays silent longer than its stall timeout. A
 * {@code null} decoder passes the bytes through as raw chunks. Plain events reach a subscriber that
 * {@link ChunkSubscriber#takesFrames takes frames} as {@link Chunk#frames}, when the translator would pass
 * them on unchanged anyway. The stall clock stops while the stream
 * waits for a slow client: a pause the gateway asked for is not the upstream's silence.
 */
public final class UpstreamChunkStream implements ChunkStream {

    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(UpstreamChunkStream.class);

    /**
     * What is the same for every stream of a provider.
     *
     * @param errors maps a transport failure to the client's error
     * @param onFirstData run once, when the first bytes arrive (stops a first-token timer)
     * @param truncated the error for a stream that ends before it has finished
     * @param stallMs the longest silence allowed between two pieces of data, or {@code null}
     * @param stalled the error for a silence longer than that
     * @param onEnd told once how the stream ended: its error ({@code null} for a clean end), and whether
     *     it was cancelled by the consumer instead
     * @param maxEventBytes the most bytes the decoder may hold without an event coming out of them
     * @param unreadable the error for an event too large, or one that cannot be decoded or translated
     */
    public record Settings(EventExecutor eventLoop, Function<Throwable, GatewayError> errors, Runnable onFirstData,
            GatewayError truncated, Long stallMs, GatewayError stalled, BiConsumer<GatewayError, Boolean> onEnd,
            long maxEventBytes, Function<String, GatewayError> unreadable) {}

    /** Pieces of body asked for ahead; one more each time one is through, unless paused. */
    private static final int READ_AHEAD = 4;

    private final StreamMessage<HttpData> body;
    private final Function<Consumer<SseEvent>, EventDecoder> decoders;
    private final StreamTranslator translator;
    private final Settings settings;
    private volatile Subscription subscription;
    private volatile boolean cancelled;
    /** Held back by the consumer (a slow client, a listener's check): its silence meanwhile is not a stall. */
    private boolean paused;
    /** Pieces not asked for while paused, asked for on resume. */
    private int owed;
    /** When data last arrived; the stall check compares against it instead of rescheduling per chunk. */
    private long lastDataNanos;

    /**
     * @param decoders makes the decoder for this stream, or {@code null} for a raw body
     */
    public UpstreamChunkStream(StreamMessage<HttpData> body, Function<Consumer<SseEvent>, EventDecoder> decoders,
            StreamTranslator translator, Settings settings) {
        this.body = body;
        this.decoders = decoders;
        this.translator = translator;
        this.settings = settings;
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
                    end(error);
                    cancelUpstream();
                }
            };
            private final EventDecoder decoder = decoders == null ? null : decoders.apply(e -> {
                eventOut = true;
                translator.onEvent(e, emitter);
            });
            /** Whole plain events, as they came: one chunk, the part of the piece they lie in. */
            private final EventDecoder.Frames frames = new EventDecoder.Frames() {
                @Override
                public void frames(byte[] piece, int from, int to, int events) {
                    eventOut = true;
                    if (!cancelled && !ended) {
                        subscriber.onChunk(Chunk.frames(piece, from, to, events));
                    }
                }
            };
            /** Whether the last feed gave an event, and how many bytes were fed since one came out. */
            private boolean eventOut;
            private long undecoded;
            private boolean first = true;
            private boolean finished = decoders == null;
            private boolean ended;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                if (cancelled) {
                    s.cancel();
                } else {
                    s.request(READ_AHEAD);
                }
            }

            @Override
            public void onNext(HttpData data) {
                if (cancelled || ended) {
                    return;
                }
                lastDataNanos = System.nanoTime();
                if (first) {
                    first = false;
                    settings.onFirstData().run();
                    if (settings.stallMs() != null) {
                        scheduleStallCheck(settings.stallMs());
                    }
                }
                if (decoder == null) {
                    if (!data.isEmpty()) {
                        subscriber.onChunk(Chunk.bytes(data.array()));
                    }
                } else if (!decode(data)) {
                    return;
                }
                if (!ended && !cancelled) {
                    // One more piece when this one is through; while paused, on resume.
                    if (paused) {
                        owed++;
                    } else {
                        readMore(1);
                    }
                }
            }

            /**
             * Feeds the decoder; {@code false} when the stream ended instead: an event larger than allowed
             * (the decoder would hold it whole), or one that cannot be decoded or translated.
             */
            private boolean decode(HttpData data) {
                eventOut = false;
                try {
                    if (translator.passesPlainEvents() && subscriber.takesFrames()) {
                        decoder.feed(data.array(), frames);
                    } else {
                        decoder.feed(data.array());
                    }
                } catch (RuntimeException e) {
                    logger.debug("Unreadable event from the upstream", e);
                    end(settings.unreadable().apply("sent an event that could not be read"));
                    cancelUpstream();
                    return false;
                }
                undecoded = eventOut ? 0 : undecoded + data.length();
                if (undecoded > settings.maxEventBytes()) {
                    end(settings.unreadable().apply("sent an event larger than " + settings.maxEventBytes()
                            + " bytes (max_upstream_event_bytes)"));
                    cancelUpstream();
                    return false;
                }
                return !ended && !cancelled;
            }


            private void scheduleStallCheck(long delayMs) {
                settings.eventLoop().schedule(() -> {
                    if (ended || cancelled) {
                        return;
                    }
                    if (paused) {
                        scheduleStallCheck(settings.stallMs());
                        return;
                    }
                    long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastDataNanos);
                    if (silentMs >= settings.stallMs()) {
                        end(settings.stalled());
                        cancelUpstream();
                    } else {
                        scheduleStallCheck(settings.stallMs() - silentMs);
                    }
                }, delayMs, TimeUnit.MILLISECONDS);
            }

            private void end(GatewayError error) {
                if (cancelled || ended) {
                    return;
                }
                ended = true;
                settings.onEnd().accept(error, false);
                if (error == null) {
                    subscriber.onEnd();
                } else {
                    subscriber.onError(error);
                }
            }

            @Override
            public void onError(Throwable t) {
                end(settings.errors().apply(t));
            }

            @Override
            public void onComplete() {
                if (cancelled || ended) {
                    return;
                }
                if (decoder != null) {
                    decoder.finish();
                }
                end(finished ? null : settings.truncated());
            }
        }, settings.eventLoop());
    }

    private void readMore(int pieces) {
        Subscription s = subscription;
        if (s != null && !cancelled) {
            s.request(pieces);
        }
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        lastDataNanos = System.nanoTime();
        if (owed > 0) {
            int n = owed;
            owed = 0;
            readMore(n);
        }
    }

    private void cancelUpstream() {
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        settings.onEnd().accept(null, true);
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        } else {
            body.abort();
        }
    }
}
