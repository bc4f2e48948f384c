package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.UpstreamAttempt;
import dev.budgateway.plugins.spi.Uuid7;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The upstream attempts of one request as they happen, confined to its event loop like the exchange. An attempt
 * that failed ends when it failed; the one that served ends with the request, when its usage and first chunk are
 * known.
 */
public final class AttemptLog {

    private final long requestStart;
    private final List<Entry> entries = new ArrayList<>(2);

    AttemptLog(long requestStart) {
        this.requestStart = requestStart;
    }

    Entry start(RouteTarget target) {
        Entry e = new Entry(target, System.nanoTime());
        entries.add(e);
        return e;
    }

    /** The attempts as they ended, the serving one (and any still open) ending with {@code completion}. */
    public List<UpstreamAttempt> finish(Completion completion) {
        if (entries.isEmpty()) {
            return List.of();
        }
        // Open attempts end when the request did, so none outlasts it in a record.
        long end = requestStart + completion.durationNanos();
        List<UpstreamAttempt> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            long start = e.start - requestStart;
            if (e.ended) {
                out.add(new UpstreamAttempt(e.id, e.target, start, e.end - e.start, -1, e.status, null, e.error,
                        false));
                continue;
            }
            // The serving attempt, or one the request's end cut short (a client that went away while it waited).
            boolean served = e.served;
            long firstChunk = served && completion.firstChunkNanos() >= 0
                    ? Math.max(0, completion.firstChunkNanos() - start) : -1;
            int status = served || e.status == 0 ? completion.status() : e.status;
            out.add(new UpstreamAttempt(e.id, e.target, start, Math.max(0, end - e.start), firstChunk, status,
                    served ? completion.usage() : null, served ? completion.error() : null, served));
        }
        return out;
    }

    static final class Entry {

        private final UUID id = Uuid7.now();
        private final RouteTarget target;
        private final long start;
        private long end;
        private boolean ended;
        private boolean served;
        private int status;
        private GatewayError error;

        private Entry(RouteTarget target, long start) {
            this.target = target;
            this.start = start;
        }

        void answered(int answeredStatus) {
            status = answeredStatus;
        }

        void served() {
            served = true;
        }

        void failed(GatewayError failure) {
            if (!ended) {
                ended = true;
                end = System.nanoTime();
                status = failure.status();
                error = failure;
            }
        }
    }
}
