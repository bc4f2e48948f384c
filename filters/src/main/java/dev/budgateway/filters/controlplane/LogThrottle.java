package dev.budgateway.filters.controlplane;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per interval for a notice that repeats on every request while it holds ("decided without
 * Redis"): the first caller of an interval is told to log, the others are not. Thread-safe without locks.
 */
public final class LogThrottle {

    private final Clock clock;
    private final long intervalMs;
    private final AtomicLong last = new AtomicLong(Long.MIN_VALUE / 2);

    public LogThrottle(Clock clock, long intervalMs) {
        this.clock = clock;
        this.intervalMs = intervalMs;
    }

    /** Whether this caller logs: the first since the interval began. */
    public boolean due() {
        long now = clock.millis();
        long seen = last.get();
        return now - seen >= intervalMs && last.compareAndSet(seen, now);
    }
}
