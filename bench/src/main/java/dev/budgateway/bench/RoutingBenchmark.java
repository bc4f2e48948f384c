package dev.budgateway.bench;

import dev.budgateway.config.ConfigLoader;
import dev.budgateway.config.GatewayConfig;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.UpstreamClient;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.netty.channel.EventLoopGroup;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Config lookup on the hot path: a model from a catalogue of 200, and a shorthand. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {

    private ModelCatalog catalog;
    private EventLoopGroup loops;
    private UpstreamClient upstream;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        StringBuilder toml = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            toml.append("[models.m").append(i).append("]\nrouting = [\"a\", \"b\"]\n")
                    .append("[models.m").append(i).append(".providers.a]\ntype = \"vllm\"\n")
                    .append("api_base = \"http://127.0.0.1:9/v1\"\nmodel_name = \"x\"\n")
                    .append("[models.m").append(i).append(".providers.b]\ntype = \"dummy\"\n");
        }
        GatewayConfig config = ConfigLoader.parse(toml.toString(), System::getenv);
        loops = EventLoopGroups.newEventLoopGroup(1);
        upstream = new UpstreamClient(loops, 60_000, 10_000);
        catalog = ModelCatalog.build(config, ModelCatalog.BUILT_IN_TYPES, upstream, System::getenv);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        upstream.close();
        loops.shutdownGracefully();
    }

    @Benchmark
    public CatalogModel configuredModel() {
        return catalog.find("m137");
    }

    @Benchmark
    public CatalogModel shorthandModel() {
        return catalog.find("dummy::echo");
    }
}
