package dev.budgateway.filters.limits;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The {@code local} mode: this replica leases a slice of a limit from Redis (the script's {@code lease}, taken
 * from the same atomic budget as exact decisions) and spends it in memory, so most requests are decided
 * without a round trip. A lease is renewed when half spent, in the background; it lapses at its window's end
 * (fixed and sliding windows) or after a second (gcra), when what is left of a gcra lease is given back.
 * Nothing is ever granted beyond the limit: the price is that a replica may refuse while another still holds
 * unspent units, at most {@code replicas × lease} of them.
 */
final class Leases {

    private static final long GCRA_LEASE_MS = 1_000;
    private static final int MAX_LEASES = 100_000;

    private final double fraction;
    private final LongSupplier clockMillis;
    private final Function<List<LimitScript.Step>, CompletionStage<List<LimitScript.Outcome>>> script;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();

    Leases(double fraction, LongSupplier clockMillis,
            Function<List<LimitScript.Step>, CompletionStage<List<LimitScript.Outcome>>> script) {
        this.fraction = fraction;
        this.clockMillis = clockMillis;
        this.script = script;
    }

    /** One bucket's lease in this replica. Guarded by itself. */
    private static final class Lease {
        long units;
        long size;
        long expiresAt;
        long resetAt;
        boolean unavailable;
        CompletableFuture<Void> renewing;
    }

    /** Takes one unit of each step's lease, renewing the leases that are spent; outcomes in order. */
    CompletionStage<List<LimitScript.Outcome>> take(List<LimitScript.Step> steps) {
        if (leases.size() > MAX_LEASES) {
            leases.clear();
        }
        List<CompletionStage<LimitScript.Outcome>> each = new ArrayList<>(steps.size());
        for (LimitScript.Step s : steps) {
            each.add(takeOne(s));
        }
        CompletableFuture<List<LimitScript.Outcome>> all = CompletableFuture.completedFuture(new ArrayList<>());
        for (CompletionStage<LimitScript.Outcome> one : each) {
            all = all.thenCombine(one, (list, o) -> {
                list.add(o);
                return list;
            });
        }
        return all.thenApply(List::copyOf);
    }

    private CompletionStage<LimitScript.Outcome> takeOne(LimitScript.Step s) {
        Lease lease = leases.computeIfAbsent(s.key(), k -> new Lease());
        long now = clockMillis.getAsLong();
        CompletableFuture<Void> wait;
        synchronized (lease) {
            expire(s, lease, now);
            if (lease.units > 0) {
                lease.units--;
                if (lease.units * 2 < lease.size && lease.renewing == null) {
                    renew(s, lease);
                }
                return CompletableFuture.completedFuture(new LimitScript.Outcome(true, lease.units,
                        Math.max(0, lease.resetAt - now), 0, 1));
            }
            wait = lease.renewing != null ? lease.renewing : renew(s, lease);
        }
        return wait.thenApply(v -> {
            synchronized (lease) {
                long at = clockMillis.getAsLong();
                if (lease.units > 0) {
                    lease.units--;
                    return new LimitScript.Outcome(true, lease.units, Math.max(0, lease.resetAt - at), 0, 1);
                }
                if (lease.unavailable) {
                    return new LimitScript.Outcome(false, -1, 0, -1, 0); // on_redis_error = "deny"
                }
                return new LimitScript.Outcome(false, 0, Math.max(0, lease.resetAt - at), retryAfter(s.limit(),
                        lease.resetAt - at), 0);
            }
        });
    }

    /** Gives one unit of each step back to its lease (a later limit refused the request). */
    void giveBack(List<LimitScript.Step> steps) {
        for (LimitScript.Step s : steps) {
            Lease lease = leases.get(s.key());
            if (lease != null) {
                synchronized (lease) {
                    lease.units++;
                }
            }
        }
    }

    private CompletableFuture<Void> renew(LimitScript.Step s, Lease lease) {
        long size = Math.max(1, (long) Math.floor(s.limit().limit() * fraction));
        CompletableFuture<Void> done = new CompletableFuture<>();
        lease.renewing = done;
        script.apply(List.of(new LimitScript.Step(s.key(), s.limit(), LimitScript.Op.LEASE, size)))
                .whenComplete((outcomes, failure) -> {
                    synchronized (lease) {
                        long now = clockMillis.getAsLong();
                        if (failure == null && !outcomes.isEmpty()) {
                            LimitScript.Outcome o = outcomes.get(0);
                            // A lease answered without Redis (on_redis_error) carries what that decided.
                            long granted = o.retryAfterMillis() < 0 ? 0 : o.allowed() && o.remaining() < 0 ? 1
                                    : o.granted();
                            lease.units += granted;
                            lease.unavailable = o.retryAfterMillis() < 0;
                            lease.size = size;
                            lease.resetAt = now + o.resetMillis();
                            lease.expiresAt = s.limit().algorithm() == RateLimit.Algorithm.GCRA
                                    ? now + Math.min(GCRA_LEASE_MS, s.limit().periodMillis()) : lease.resetAt;
                        }
                        lease.renewing = null;
                    }
                    done.complete(null);
                });
        return done;
    }

    /** Drops a lease past its time; a gcra lease's unspent units go back to Redis. */
    private void expire(LimitScript.Step s, Lease lease, long now) {
        if (lease.units > 0 && now >= lease.expiresAt) {
            if (s.limit().algorithm() == RateLimit.Algorithm.GCRA) {
                script.apply(List.of(new LimitScript.Step(s.key(), s.limit(), LimitScript.Op.RETURN, lease.units)));
            }
            lease.units = 0;
        }
    }

    private static long retryAfter(RateLimit l, long untilReset) {
        if (l.algorithm() == RateLimit.Algorithm.GCRA) {
            return Math.max(1, l.periodMillis() / l.limit());
        }
        return Math.max(1, untilReset);
    }
}
