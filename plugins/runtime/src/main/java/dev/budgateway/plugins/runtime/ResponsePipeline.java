package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkEmitter;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.ResponseListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a response through an exchange's listeners, last-registered first, into a {@link Sink}. The
 * emitters are built once per response; with no listeners a chunk goes straight to the sink.
 */
public final class ResponsePipeline {

    private static final Logger logger = LoggerFactory.getLogger(ResponsePipeline.class);

    /** Where chunks end up: the client connection. */
    public interface Sink {
        void write(Chunk chunk);

        void abort(GatewayError error);
    }

    private final ResponseListener[] listeners;
    private final ChunkEmitter[] emitters;
    private final Sink sink;

    public ResponsePipeline(List<ResponseListener> listeners, Sink sink) {
        this.listeners = listeners.toArray(ResponseListener[]::new);
        this.sink = sink;
        this.emitters = new ChunkEmitter[this.listeners.length];
        for (int i = 0; i < emitters.length; i++) {
            emitters[i] = new Emitter(i);
        }
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
            deliver(last, chunk);
        }
    }

    /** Tells every listener how the exchange ended. Call exactly once. */
    public void complete(Completion completion) {
        for (int i = listeners.length - 1; i >= 0; i--) {
            try {
                listeners[i].onComplete(completion);
            } catch (RuntimeException e) {
                logger.warn("Response listener {} failed in onComplete", listeners[i].getClass().getName(), e);
            }
        }
    }

    private void deliver(int i, Chunk chunk) {
        try {
            listeners[i].onChunk(chunk, emitters[i]);
        } catch (RuntimeException e) {
            logger.warn("Response listener {} failed in onChunk", listeners[i].getClass().getName(), e);
            sink.abort(GatewayError.internal("Internal error while processing the response"));
        }
    }

    private final class Emitter implements ChunkEmitter {
        private final int index;

        Emitter(int index) {
            this.index = index;
        }

        @Override
        public void emit(Chunk chunk) {
            if (index == 0) {
                sink.write(chunk);
            } else {
                deliver(index - 1, chunk);
            }
        }

        @Override
        public void abort(GatewayError error) {
            sink.abort(error);
        }
    }
}
