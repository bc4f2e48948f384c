package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.util.EventLoopGroups;
import dev.budgateway.config.ConfigLoader;
import dev.budgateway.plugins.runtime.ChainObserver;
import dev.budgateway.plugins.runtime.ChainRunner;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.providers.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

/**
 * The happy path of the built-in chain with and without the {@code fallback} filter (and with retries and a
 * fallback model configured, which the happy path never uses): what the filter costs when the first attempt
 * succeeds. The terminal answers at once, so only the chain is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FallbackBenchmark {

    @Param({"routing", "routing+fallback", "routing+fallback+retries"})
    public String chain;

    private EventLoopGroup loops;
    private UpstreamClient upstream;
    private ChainRunner runner;
    private ObjectNode body;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String filters = chain.equals("routing") ? "[[filters]]\ntype = \"routing\"\n"
                : "[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n";
        String retries = chain.endsWith("retries")
                ? "retries = { num_retries = 2 }\nfallback_models = [\"backup\"]\n" : "";
        String toml = "[gateway]\nplugins_dir = \"/nonexistent\"\n" + filters
                + "[models.m]\nrouting = [\"a\", \"b\"]\n" + retries
                + "[models.m.providers.a]\ntype = \"vllm\"\napi_base = \"http://127.0.0.1:9/v1\"\nmodel_name = \"x\"\n"
                + "[models.m.providers.b]\ntype = \"dummy\"\n"
                + "[models.backup]\nrouting = [\"c\"]\n[models.backup.providers.c]\ntype = \"dummy\"\n";
        loops = EventLoopGroups.newEventLoopGroup(1);
        upstream = new UpstreamClient(loops, 60_000, 10_000);
        GatewayAssembly assembly = GatewayAssembly.build(ConfigLoader.parse(toml, System::getenv), upstream, loops,
                System::getenv);
        CompletionStage<Response> answer = CompletableFuture.completedFuture(Response.unary(200, Chunk.unary(
                "{}".getBytes(StandardCharsets.UTF_8))));
        runner = new ChainRunner(assembly.chain(), exchange -> answer, ChainObserver.NONE);
        body = JsonNodeFactory.instance.objectNode().put("model", "m");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        upstream.close();
        loops.shutdownGracefully();
    }

    @Benchmark
    public CompletionStage<Response> happyPath() {
        DefaultExchange exchange = new DefaultExchange(ApiEndpoint.CHAT, "POST", "/v1/chat/completions", name -> null,
                body, loops.next(), 0);
        exchange.put(Keys.MODEL, "m");
        exchange.put(Keys.STREAM, false);
        return runner.run(exchange);
    }
}
