package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A stream pauses at its own mark, and at a small one while all streams together hold too much. */
class ClientDemandTest {

    /** A stream whose client takes nothing until {@link #consume()}. */
    private static final class Stream {
        final AtomicBoolean paused = new AtomicBoolean();
        CompletableFuture<Void> consumed = new CompletableFuture<>();
        final ClientDemand demand = new ClientDemand(() -> consumed, Runnable::run, () -> paused.set(true),
                () -> paused.set(false));

        void consume() {
            CompletableFuture<Void> f = consumed;
            consumed = new CompletableFuture<>();
            f.complete(null);
        }
    }

    @Test
    void aStreamPausesAtItsMarkAndResumesWhenItsClientCatchesUp() {
        Stream s = new Stream();
        s.demand.wrote((int) ClientDemand.HIGH_WATER_BYTES - 1);
        assertFalse(s.paused.get());
        s.demand.wrote(1);
        assertTrue(s.paused.get());
        s.consume();
        assertFalse(s.paused.get());
    }

    @Test
    void pastTheBudgetOfAllStreamsAStreamPausesFromTheFloor() {
        Stream hog = new Stream();
        long budget = ClientDemand.ALL_STREAMS_BYTES;
        int writes = 0;
        try {
            // One stream far behind (its own pause aside) holds the whole budget of all streams.
            for (long held = 0; held < budget; held += Integer.MAX_VALUE / 2) {
                hog.demand.wrote(Integer.MAX_VALUE / 2);
                writes++;
            }
            Stream other = new Stream();
            other.demand.wrote((int) ClientDemand.FLOOR_BYTES - 1);
            assertFalse(other.paused.get(), "below the floor a stream always goes on");
            other.demand.wrote(1);
            assertTrue(other.paused.get(), "from the floor it waits while all streams hold too much");
            for (int i = 0; i < writes; i++) {
                hog.consume(); // the hog's client catches up, a watched amount at a time
            }
            writes = 0;
            assertFalse(hog.paused.get());
            other.consume();
            assertFalse(other.paused.get(), "with the budget free again, the stream goes on");
        } finally {
            for (int i = 0; i < writes; i++) {
                hog.consume(); // give the shared count back, whatever failed: other tests share it
            }
        }
    }
}
