package dev.budgateway.filters.limits;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-memory decisions of the rate-limits filter: a request taken from a replica's lease ({@code mode =
 * "local"}; the lease's renewals are answered at once here, as a Redis on loopback would answer them in the
 * background) and one decided by the per-replica buckets used while Redis is away.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class RateLimitsBenchmark {

    private Leases leases;
    private LocalBuckets buckets;
    private List<LimitScript.Step> leased;
    private List<LimitScript.Step> local;

    @Setup(Level.Trial)
    public void setUp() {
        RateLimit limit = new RateLimit("bench:rps", List.of(dev.budgateway.filters.limits.Scope.API_KEY), RateLimit.Unit.REQUESTS, 1_000_000_000L,
                1_000, 1_000_000_000L, RateLimit.Algorithm.GCRA, RateLimit.Mode.LOCAL, RateLimit.OnRedisError.LOCAL);
        leases = new Leases(0.05, System::currentTimeMillis, steps -> CompletableFuture.completedFuture(List.of(
                new LimitScript.Outcome(true, 1, 1_000, 0, steps.get(0).amount()))));
        buckets = new LocalBuckets(2, System::currentTimeMillis);
        leased = List.of(new LimitScript.Step("budgateway:rl:bench:rps:key-1", limit, LimitScript.Op.TAKE, 1));
        local = leased;
    }

    @Benchmark
    public Object takeFromLease() {
        return leases.take(leased).toCompletableFuture().join();
    }

    @Benchmark
    public Object decideInMemoryWithoutRedis() {
        return buckets.run(local);
    }
}
