package dev.budgateway.filters.auth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.RecordListener;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.ServiceKey;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
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

/**
 * The auth filter's cost per request: a control-plane key among {@code keys} records (as the mirror holds them
 * after loading budapp's {@code api_key:*}; the records are handed to the filter the way the mirror hands them,
 * without Redis, which a request never touches), and a static key among ten. Each invocation builds a fresh
 * exchange, as a request does; {@code exchangeOnly} is that part alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class AuthBenchmark {

    @Param({"100000"})
    public int keys;

    private ScheduledExecutorService loop;
    private Filter controlPlane;
    private Filter staticKeys;
    private final ObjectNode body = JsonNodeFactory.instance.objectNode();

    /** Holds what the mirror would have loaded; a request never reaches it. */
    private final class LoadedRecords implements ControlPlane {
        @Override
        public void watch(String pattern, RecordListener listener) {
            if (!pattern.equals("api_key:*")) {
                return;
            }
            for (int i = 0; i < keys; i++) {
                listener.put("api_key:" + KeyHash.sha256Hex("bud-sk-" + i), "{\"gpt-4o\": {\"endpoint_id\": \"ep-"
                        + (i % 1000) + "\", \"model_id\": \"m\", \"project_id\": \"p\"}, \"llama\": {\"endpoint_id\": "
                        + "\"ep-x\", \"model_id\": \"m\", \"project_id\": \"p\"}, \"__metadata__\": {\"api_key_id\": "
                        + "\"k" + i + "\", \"user_id\": \"u\", \"api_key_project_id\": \"p\"}}");
            }
        }

        @Override
        public DependencyState state() {
            return DependencyState.OK;
        }

        @Override
        public boolean loaded() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = Executors.newSingleThreadScheduledExecutor();
        ControlPlane records = new LoadedRecords();
        FilterEnv env = new FilterEnv() {
            @Override
            public <T> Optional<T> service(ServiceKey<T> key) {
                return key.equals(ControlPlane.SERVICE) ? Optional.of(key.type().cast(records)) : Optional.empty();
            }

            @Override
            public ScheduledExecutorService scheduler() {
                return loop;
            }
        };
        controlPlane = create("{\"sources\":[\"control_plane\"]}", env);
        StringBuilder statics = new StringBuilder("{\"static_keys\":[");
        for (int i = 0; i < 10; i++) {
            statics.append(i == 0 ? "" : ",").append("{\"sha256\":\"").append(KeyHash.sha256Hex("static-" + i))
                    .append("\",\"models\":[\"gpt-4o\"]}");
        }
        staticKeys = create(statics.append("]}").toString(), env);
        body.put("model", "gpt-4o");
        if (!(controlPlane.onRequest(exchange("Bearer sk-4242")) instanceof FilterResult.Continue)) {
            throw new IllegalStateException("the benchmark's key is refused");
        }
    }

    private static Filter create(String settings, FilterEnv env) throws Exception {
        return new AuthFilterFactory().create(new FilterSpec("filters[0]", "auth", "auth", true, "reject",
                FilterConfig.DEFAULT_TIMEOUT_MS, (ObjectNode) Json.parse(settings.getBytes(StandardCharsets.UTF_8))),
                env);
    }

    private DefaultExchange exchange(String authorization) {
        Map<String, String> headers = Map.of("authorization", authorization);
        DefaultExchange e = new DefaultExchange(ApiEndpoint.CHAT, "POST", "/v1/chat/completions", headers::get, body,
                loop, 0);
        e.put(Keys.MODEL, "gpt-4o");
        return e;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.shutdownNow();
    }

    @Benchmark
    public DefaultExchange exchangeOnly() {
        return exchange("Bearer sk-4242");
    }

    @Benchmark
    public FilterResult controlPlaneKey() {
        return controlPlane.onRequest(exchange("Bearer sk-4242"));
    }

    @Benchmark
    public FilterResult controlPlaneUnknownKey() {
        return controlPlane.onRequest(exchange("Bearer sk-unknown"));
    }

    @Benchmark
    public FilterResult staticKey() {
        return staticKeys.onRequest(exchange("Bearer static-7"));
    }
}
