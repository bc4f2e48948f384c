package dev.budgateway.providers.pool;

import dev.budgateway.config.LoadBalancing;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Picks one of several candidates for a request, by one {@link LoadBalancing} strategy. Thread-safe. */
public final class Balancer {

    private final LoadBalancing strategy;
    private final AtomicInteger next = new AtomicInteger();

    public Balancer(LoadBalancing strategy) {
        this.strategy = strategy;
    }

    public LoadBalancing strategy() {
        return strategy;
    }

    /** The index of the candidate to try first; {@code candidates} is not empty. */
    public int pick(List<? extends Balanced> candidates) {
        int n = candidates.size();
        if (n == 1) {
            return 0;
        }
        return switch (strategy) {
            case ORDERED -> 0;
            case ROUND_ROBIN -> Math.floorMod(next.getAndIncrement(), n);
            case WEIGHTED -> weighted(candidates);
            case LEAST_CONNECTIONS -> leastConnections(candidates);
            case LATENCY -> latency(candidates);
        };
    }

    private static int weighted(List<? extends Balanced> candidates) {
        long total = 0;
        for (Balanced c : candidates) {
            total += c.weight();
        }
        long r = ThreadLocalRandom.current().nextLong(total);
        for (int i = 0; i < candidates.size(); i++) {
            r -= candidates.get(i).weight();
            if (r < 0) {
                return i;
            }
        }
        return candidates.size() - 1;
    }

    /** Fewest in flight; ties are broken by a rotating start, so equal candidates share the load. */
    private int leastConnections(List<? extends Balanced> candidates) {
        int n = candidates.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        int best = start;
        for (int k = 1; k < n; k++) {
            int i = (start + k) % n;
            if (candidates.get(i).inFlight() < candidates.get(best).inFlight()) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Power of two choices on latency × (in flight + 1): cheap, and it keeps sending a little traffic to a
     * slower candidate, so its estimate recovers when it does. Unmeasured candidates go first.
     */
    private static int latency(List<? extends Balanced> candidates) {
        int n = candidates.size();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        return score(candidates.get(a)) <= score(candidates.get(b)) ? a : b;
    }

    private static double score(Balanced c) {
        return c.latencyMs() * (c.inFlight() + 1);
    }
}
