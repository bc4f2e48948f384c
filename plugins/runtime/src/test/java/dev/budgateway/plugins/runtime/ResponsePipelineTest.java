package dev.budgateway.plugins.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkEmitter;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.ResponseListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Demand through the listeners: pauses hold the source, what waits keeps its order, the end comes last. */
class ResponsePipelineTest {

    final List<String> out = new ArrayList<>();
    final List<String> sourceCalls = new ArrayList<>();
    final ResponsePipeline.Sink sink = new ResponsePipeline.Sink() {
        @Override
        public void write(Chunk chunk) {
            out.add(chunk.dataAsString());
        }

        @Override
        public void end() {
            out.add("END");
        }

        @Override
        public void abort(GatewayError error) {
            out.add("ABORT " + error.code());
        }
    };
    final ChunkStream source = new ChunkStream() {
        @Override
        public void subscribe(ChunkSubscriber subscriber) {}

        @Override
        public void cancel() {}

        @Override
        public void pause() {
            sourceCalls.add("pause");
        }

        @Override
        public void resume() {
            sourceCalls.add("resume");
        }
    };

    static Chunk c(String s) {
        return Chunk.event(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Pauses on "hold" and keeps its emitter, for the test to resume. */
    final class Holding implements ResponseListener {
        ChunkEmitter emitter;

        @Override
        public void onChunk(Chunk chunk, ChunkEmitter next) {
            next.emit(chunk);
            if (chunk.dataAsString().equals("hold")) {
                emitter = next;
                next.pause();
            }
        }

        @Override
        public void onEnd(ChunkEmitter next) {
            next.emit(c("tail"));
        }
    }

    @Test
    void whatArrivesWhilePausedWaitsInOrderAndTheEndAfterIt() {
        Holding holding = new Holding();
        ResponsePipeline p = new ResponsePipeline(List.of(holding), sink);
        p.source(source);
        p.chunk(c("a"));
        p.chunk(c("hold"));
        p.chunk(c("b"));
        p.end();
        assertEquals(List.of("a", "hold"), out, "b and the end wait for the paused listener");
        assertEquals(List.of("pause"), sourceCalls);
        holding.emitter.resume();
        assertEquals(List.of("a", "hold", "b", "tail", "END"), out);
        assertEquals(List.of("pause", "resume"), sourceCalls);
    }

    @Test
    void theSourceResumesOnlyWhenNoOneHoldsIt() {
        Holding holding = new Holding();
        ResponsePipeline p = new ResponsePipeline(List.of(holding), sink);
        p.source(source);
        p.pause(); // the client is behind
        p.chunk(c("hold")); // and a listener pauses too
        holding.emitter.resume();
        assertEquals(List.of("pause"), sourceCalls, "the client still holds it");
        p.resume();
        assertEquals(List.of("pause", "resume"), sourceCalls);
    }

    @Test
    void aPauseUpstreamOfAListenerDoesNotStopTheOnesAfterIt() {
        // Listeners run last-registered first: the second one sees chunks first, then the first one.
        Holding first = new Holding();
        List<String> seenBySecond = new ArrayList<>();
        ResponseListener second = new ResponseListener() {
            @Override
            public void onChunk(Chunk chunk, ChunkEmitter next) {
                seenBySecond.add(chunk.dataAsString());
                next.emit(chunk);
            }
        };
        ResponsePipeline p = new ResponsePipeline(List.of(first, second), sink);
        p.source(source);
        p.chunk(c("hold"));
        p.chunk(c("x"));
        assertEquals(List.of("hold", "x"), seenBySecond, "a chunk already on its way still passes the earlier stage");
        assertEquals(List.of("hold"), out);
        first.emitter.resume();
        assertEquals(List.of("hold", "x"), out);
    }

    @Test
    void aFailingListenerAbortsOnceAndNothingFollows() {
        ResponseListener broken = new ResponseListener() {
            @Override
            public void onChunk(Chunk chunk, ChunkEmitter next) {
                throw new IllegalStateException("bug");
            }
        };
        ResponsePipeline p = new ResponsePipeline(List.of(broken), sink);
        p.chunk(c("a"));
        p.chunk(c("b"));
        p.end();
        assertEquals(List.of("ABORT internal_error"), out);
    }

    @Test
    void resumeWithoutPauseIsABug() {
        ResponseListener wrong = new ResponseListener() {
            @Override
            public void onChunk(Chunk chunk, ChunkEmitter next) {
                next.resume();
            }
        };
        ResponsePipeline p = new ResponsePipeline(List.of(wrong), sink);
        p.chunk(c("a"));
        assertTrue(out.get(0).startsWith("ABORT"), out.toString());
    }

    /** Counts the events that go by, frames included, without reading them. */
    static final class Counting implements ResponseListener {
        int events;

        @Override
        public void onChunk(Chunk chunk, ChunkEmitter next) {
            events += chunk.events();
            next.emit(chunk);
        }

        @Override
        public boolean takesFrames() {
            return true;
        }
    }

    @Test
    void framesPassUnlessAListenerReadsEachEvent() {
        assertTrue(new ResponsePipeline(List.of(), sink).passesFrames(), "no listener");
        assertTrue(new ResponsePipeline(List.of(new ResponseListener() {}), sink).passesFrames(),
                "a listener that does not look at chunks");
        Counting counting = new Counting();
        ResponsePipeline counted = new ResponsePipeline(List.of(counting), sink);
        assertTrue(counted.passesFrames(), "a listener that counts, and says it takes frames");
        counted.chunk(Chunk.frames("data: {}\n\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8), 2));
        counted.chunk(c("{\"usage\":{}}"));
        assertEquals(3, counting.events);
        assertEquals(false, new ResponsePipeline(List.of(counting, new Holding()), sink).passesFrames(),
                "one that reads every event, beside it");
    }
}
