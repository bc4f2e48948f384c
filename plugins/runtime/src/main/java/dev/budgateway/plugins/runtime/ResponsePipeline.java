package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkEmitter;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.ResponseListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a response through an exchange's listeners, last-registered first, into a {@link Sink}. The
 * emitters are built once per response; with no listeners a chunk goes straight to the sink.
 *
 * <p>Demand is one thing here: a listener's {@link ChunkEmitter#pause() pause} and a slow client's
 * ({@link #pause()} from the sink's owner) both pause the source stream, which asks its upstream for
 * nothing more; it resumes when no one holds it. What arrives at a paused listener waits in its inbox,
 * in order, the end of the body included. Everything runs on the exchange's event loop.
 */
public final class ResponsePipeline {

    private static final Logger logger = LoggerFactory.getLogger(ResponsePipeline.class);

    /** The end of the body, queued behind the chunks before it. */
    private static final Object END = new Object();

    /** Where chunks end up: the client connection. */
    public interface Sink {
        void write(Chunk chunk);

        /** The body ended cleanly and every listener has had its {@link ResponseListener#onEnd}. */
        default void end() {}

        void abort(GatewayError error);
    }

    /** Whether a listener's class has its own {@code onChunk}: only those need to see each event. */
    private static final ClassValue<Boolean> READS_CHUNKS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("onChunk", Chunk.class, ChunkEmitter.class).getDeclaringClass()
                        != ResponseListener.class;
            } catch (NoSuchMethodException e) {
                return true;
            }
        }
    };

    private final ResponseListener[] listeners;
    private final boolean readsChunks;
    private final Stage[] stages;
    private final Sink sink;
    private final Executor loop;
    private final BooleanSupplier onLoop;
    private ChunkStream source;
    /** How many hold the source back: paused listeners, and the client when it is behind. */
    private int holds;
    private boolean stopped;
    private List<CompletionStage<?>> awaiting;

    public ResponsePipeline(List<ResponseListener> listeners, Sink sink) {
        this(listeners, sink, Runnable::run, () -> true);
    }

    /**
     * @param loop the exchange's event loop, where {@link ChunkEmitter#await} continues
     * @param onLoop whether the current thread is that loop; checked with assertions on every emit
     */
    public ResponsePipeline(List<ResponseListener> listeners, Sink sink, Executor loop, BooleanSupplier onLoop) {
        this.listeners = listeners.toArray(ResponseListener[]::new);
        this.sink = sink;
        this.loop = loop;
        this.onLoop = onLoop;
        boolean reads = false;
        for (ResponseListener l : this.listeners) {
            reads |= READS_CHUNKS.get(l.getClass()) && !l.takesFrames();
        }
        this.readsChunks = reads;
        this.stages = new Stage[this.listeners.length];
        for (int i = 0; i < stages.length; i++) {
            stages[i] = new Stage(i);
        }
    }

    /** The stream the chunks come from: pausing the pipeline pauses it. */
    public void source(ChunkStream stream) {
        this.source = stream;
        if (holds > 0) {
            stream.pause();
        }
    }

    /**
     * Whether {@link Chunk#frames} may come through: no listener reads chunks (none overrides
     * {@link ResponseListener#onChunk} without {@link ResponseListener#takesFrames taking frames}), so none
     * needs each event on its own.
     */
    public boolean passesFrames() {
        return !readsChunks;
    }

    /** Lets every listener see (and add to) the head. */
    public void head(ResponseHead head) {
        for (int i = listeners.length - 1; i >= 0; i--) {
            try {
                listeners[i].onHead(head);
            } catch (RuntimeException e) {
                logger.warn("Response listener {} failed in onHead", listeners[i].getClass().getName(), e);
            }
        }
    }

    public void chunk(Chunk chunk) {
        int last = listeners.length - 1;
        if (last < 0) {
            sink.write(chunk);
        } else {
            stages[last].deliver(chunk);
        }
    }

    /** The source ended cleanly: each listener's {@code onEnd} in turn, after what it still has to see. */
    public void end() {
        int last = listeners.length - 1;
        if (last < 0) {
            sink.end();
        } else {
            stages[last].deliver(END);
        }
    }

    /** The client is behind: hold the source until {@link #resume()}. */
    public void pause() {
        hold();
    }

    public void resume() {
        release();
    }

    /**
     * Tells every listener how the exchange ended. Call exactly once; nothing is delivered after it, and
     * work a listener still awaits is cancelled.
     */
    public void complete(Completion completion) {
        stop();
        for (int i = listeners.length - 1; i >= 0; i--) {
            try {
                listeners[i].onComplete(completion);
            } catch (RuntimeException e) {
                logger.warn("Response listener {} failed in onComplete", listeners[i].getClass().getName(), e);
            }
        }
    }

    private void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (awaiting != null) {
            awaiting.forEach(ChainRunner::cancel);
            awaiting = null;
        }
    }

    private void hold() {
        if (holds++ == 0 && source != null) {
            source.pause();
        }
    }

    private void release() {
        if (holds > 0 && --holds == 0 && source != null && !stopped) {
            source.resume();
        }
    }

    private void fail(ResponseListener listener, String where, RuntimeException e) {
        logger.warn("Response listener {} failed in {}", listener.getClass().getName(), where, e);
        abort(GatewayError.internal("Internal error while processing the response"));
    }

    private void abort(GatewayError error) {
        if (stopped) {
            return;
        }
        stop();
        sink.abort(error);
    }

    /** One listener's place in the pipeline: its emitter, and what waits for it while it is paused. */
    private final class Stage implements ChunkEmitter {
        private final int index;
        private final ResponseListener listener;
        private ArrayDeque<Object> inbox;
        private int pauses;
        /** Inside the listener: what arrives meanwhile (a chunk emitted on resume) waits its turn. */
        private boolean busy;
        private boolean endSeen;
        private boolean endPassed;

        Stage(int index) {
            this.index = index;
            this.listener = listeners[index];
        }

        void deliver(Object item) {
            if (stopped) {
                return;
            }
            if (busy || pauses > 0 || (inbox != null && !inbox.isEmpty())) {
                if (inbox == null) {
                    inbox = new ArrayDeque<>(4);
                }
                inbox.add(item);
                return;
            }
            busy = true;
            try {
                dispatch(item);
                drain();
            } finally {
                busy = false;
            }
        }

        private void drain() {
            while (!stopped && pauses == 0 && inbox != null && !inbox.isEmpty()) {
                dispatch(inbox.poll());
            }
            if (!stopped && pauses == 0 && endSeen && !endPassed) {
                endPassed = true;
                if (index == 0) {
                    sink.end();
                } else {
                    stages[index - 1].deliver(END);
                }
            }
        }

        private void dispatch(Object item) {
            if (item == END) {
                endSeen = true;
                try {
                    listener.onEnd(this);
                } catch (RuntimeException e) {
                    fail(listener, "onEnd", e);
                }
                return;
            }
            try {
                listener.onChunk((Chunk) item, this);
            } catch (RuntimeException e) {
                fail(listener, "onChunk", e);
            }
        }

        @Override
        public void emit(Chunk chunk) {
            assert onLoop.getAsBoolean() : offLoop("emit");
            if (stopped) {
                return;
            }
            if (index == 0) {
                sink.write(chunk);
            } else {
                stages[index - 1].deliver(chunk);
            }
        }

        @Override
        public void abort(GatewayError error) {
            assert onLoop.getAsBoolean() : offLoop("abort");
            ResponsePipeline.this.abort(error);
        }

        @Override
        public void pause() {
            assert onLoop.getAsBoolean() : offLoop("pause");
            if (pauses++ == 0) {
                hold();
            }
        }

        @Override
        public void resume() {
            assert onLoop.getAsBoolean() : offLoop("resume");
            if (pauses == 0) {
                throw new IllegalStateException("resume() without pause()");
            }
            if (--pauses > 0) {
                return;
            }
            if (!busy) {
                busy = true;
                try {
                    drain();
                } finally {
                    busy = false;
                }
            }
            release();
        }

        @Override
        public <T> void await(CompletionStage<T> stage, Consumer<? super T> then) {
            pause();
            if (awaiting == null) {
                awaiting = new ArrayList<>(2);
            }
            awaiting.add(stage);
            stage.whenComplete((value, failure) -> loop.execute(() -> {
                if (stopped) {
                    return;
                }
                awaiting.remove(stage);
                if (failure != null) {
                    logger.warn("Response listener {}: the work it awaited failed", listener.getClass().getName(),
                            failure);
                    ResponsePipeline.this.abort(GatewayError.internal("Internal error while processing the "
                            + "response"));
                    return;
                }
                try {
                    then.accept(value);
                } catch (RuntimeException e) {
                    fail(listener, "await", e);
                    return;
                }
                resume();
            }));
        }

        private String offLoop(String call) {
            return "Response listener " + listener.getClass().getName() + " called " + call
                    + " off the exchange's event loop (continue asynchronous work with ChunkEmitter.await)";
        }
    }
}
