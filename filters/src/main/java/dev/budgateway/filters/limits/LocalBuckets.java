package dev.budgateway.filters.limits;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The script's arithmetic in this replica's memory, for decisions taken without Redis
 * ({@code on_redis_error = "local"}): each limit is divided by the replicas expected to share it, so the
 * whole holds roughly while every replica counts on its own.
 */
final class LocalBuckets {

    private static final int MAX_BUCKETS = 100_000;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int replicas;
    private final LongSupplier clockMillis;

    LocalBuckets(int replicas, LongSupplier clockMillis) {
        this.replicas = Math.max(1, replicas);
        this.clockMillis = clockMillis;
    }

    /** The script's answers for {@code steps}, all or nothing as there. */
    synchronized List<LimitScript.Outcome> run(List<LimitScript.Step> steps) {
        if (buckets.size() > MAX_BUCKETS) {
            buckets.clear(); // many subjects seen during a long outage: start afresh rather than grow
        }
        long now = clockMillis.getAsLong();
        LimitScript.Outcome[] out = new LimitScript.Outcome[steps.size()];
        boolean refused = false;
        for (int i = 0; i < steps.size(); i++) {
            LimitScript.Step s = steps.get(i);
            out[i] = bucket(s).decide(s, share(s.limit().limit()), share(s.limit().burst()), now, false);
            refused |= !out[i].allowed();
        }
        for (int i = 0; i < steps.size(); i++) {
            LimitScript.Step s = steps.get(i);
            if (!refused || s.op() != LimitScript.Op.TAKE) {
                bucket(s).decide(s, share(s.limit().limit()), share(s.limit().burst()), now, true);
            }
        }
        return List.of(out);
    }

    private long share(long n) {
        return Math.max(1, n / replicas);
    }

    private Bucket bucket(LimitScript.Step s) {
        return buckets.computeIfAbsent(s.key(), k -> new Bucket());
    }

    /** One bucket: a theoretical arrival time (gcra) or this window's and the previous window's counts. */
    private static final class Bucket {
        double tat;
        long window = Long.MIN_VALUE;
        long current;
        long previous;

        LimitScript.Outcome decide(LimitScript.Step s, long limit, long burst, long now, boolean apply) {
            RateLimit l = s.limit();
            long amount = s.op() == LimitScript.Op.CHECK ? 0 : s.amount();
            boolean lease = s.op() == LimitScript.Op.LEASE;
            if (s.op() == LimitScript.Op.RETURN) {
                amount = -amount;
            }
            if (l.algorithm() == RateLimit.Algorithm.GCRA) {
                double interval = (double) l.periodMillis() / limit;
                double tolerance = burst * interval;
                double from = Math.max(tat, now);
                long free = (long) Math.floor((tolerance - (from - now)) / interval + 1e-9);
                if (s.op() == LimitScript.Op.CHECK && free <= 0 || s.op() == LimitScript.Op.TAKE && amount > free) {
                    long retry = (long) Math.ceil(from + Math.max(amount, 1) * interval - tolerance - now);
                    return new LimitScript.Outcome(false, Math.max(free, 0), (long) Math.ceil(from - now), retry, 0);
                }
                if (lease) {
                    amount = Math.max(0, Math.min(amount, free));
                }
                if (apply) {
                    tat = Math.max(now, from + amount * interval);
                }
                return new LimitScript.Outcome(true, Math.max(0, free - amount),
                        (long) Math.ceil(from + amount * interval - now), 0, amount);
            }
            long w = now / l.periodMillis();
            if (w != window) {
                previous = w == window + 1 ? current : 0;
                current = 0;
                window = w;
            }
            long used = current;
            if (l.algorithm() == RateLimit.Algorithm.SLIDING_WINDOW) {
                double weight = (double) (l.periodMillis() - (now - w * l.periodMillis())) / l.periodMillis();
                used = (long) Math.floor(previous * weight + current + 1e-9);
            }
            long free = limit - used;
            long ends = (w + 1) * l.periodMillis() - now;
            if (s.op() == LimitScript.Op.CHECK && free <= 0 || s.op() == LimitScript.Op.TAKE && amount > free) {
                return new LimitScript.Outcome(false, Math.max(free, 0), ends, ends, 0);
            }
            if (lease) {
                amount = Math.max(0, Math.min(amount, free));
            }
            if (apply) {
                current = Math.max(0, current + amount);
            }
            return new LimitScript.Outcome(true, Math.max(0, free - amount), ends, 0, amount);
        }
    }
}
