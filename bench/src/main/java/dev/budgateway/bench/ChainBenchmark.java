package dev.budgateway.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.budgateway.analytics.RequestMetrics;
import dev.budgateway.plugins.runtime.ChainEntry;
import dev.budgateway.plugins.runtime.ChainObserver;
import dev.budgateway.plugins.runtime.ChainRunner;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.runtime.FilterChain;
import dev.budgateway.plugins.runtime.OnError;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Response;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The chain runner with N no-op filters and a terminal that answers at once: the chain's own cost. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChainBenchmark {

    @Param({"0", "5", "20"})
    public int filters;

    /** Whether each filter's time is recorded in Micrometer, as the server does. */
    @Param({"false", "true"})
    public boolean timed;

    private ChainRunner runner;
    private ScheduledExecutorService loop;
    private CompletionStage<Response> answer;

    @Setup(Level.Trial)
    public void setUp() {
        List<ChainEntry> entries = new ArrayList<>();
        for (int i = 0; i < filters; i++) {
            entries.add(new ChainEntry("noop" + i, "noop", exchange -> FilterResult.CONTINUE, OnError.REJECT));
        }
        answer = CompletableFuture.completedFuture(Response.unary(200, Chunk.unary("{}".getBytes(
                StandardCharsets.UTF_8))));
        ChainObserver observer = timed ? new RequestMetrics(new SimpleMeterRegistry())::recordFilter : ChainObserver.NONE;
        runner = new ChainRunner(new FilterChain(entries), exchange -> answer, observer);
        loop = Executors.newSingleThreadScheduledExecutor();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.shutdownNow();
    }

    @Benchmark
    public CompletionStage<Response> runChain() {
        DefaultExchange exchange = new DefaultExchange(ApiEndpoint.CHAT, "POST", "/v1/chat/completions", name -> null,
                JsonNodeFactory.instance.objectNode(), loop, 0);
        return runner.run(exchange);
    }
}
