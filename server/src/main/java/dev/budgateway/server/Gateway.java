package dev.budgateway.server;

import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.budgateway.analytics.RequestMetrics;
import dev.budgateway.config.GatewayConfig;
import dev.budgateway.plugins.runtime.ChainRunner;
import dev.budgateway.plugins.runtime.FilterChain;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.ProviderProxy;
import dev.budgateway.providers.UpstreamClient;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A running gateway: the Armeria server, its event loops and its upstream client. */
public final class Gateway implements AutoCloseable {

    private static final String[] API_PREFIXES = {"/v1", "/openai/v1"};

    private final Server server;
    private final EventLoopGroup eventLoops;
    private final UpstreamClient upstream;
    private final JvmGcMetrics gcMetrics;
    private final FilterChain chain;
    private final ModelCatalog catalog;

    private Gateway(Server server, EventLoopGroup eventLoops, UpstreamClient upstream, JvmGcMetrics gcMetrics,
            FilterChain chain, ModelCatalog catalog) {
        this.server = server;
        this.eventLoops = eventLoops;
        this.upstream = upstream;
        this.gcMetrics = gcMetrics;
        this.chain = chain;
        this.catalog = catalog;
    }

    /** Builds and starts a gateway; blocks until it listens. */
    public static Gateway start(GatewayConfig config, Function<String, String> env) throws ConfigException {
        // One group for the server and the upstream client: a request and its upstream call stay on one thread.
        EventLoopGroup eventLoops = EventLoopGroups.newEventLoopGroup(config.gateway().eventLoops());
        UpstreamClient upstream = new UpstreamClient(eventLoops, config.gateway().globalTimeoutMs(),
                config.gateway().connectTimeoutMs());
        GatewayAssembly assembly;
        try {
            assembly = GatewayAssembly.build(config, upstream, eventLoops, env);
        } catch (ConfigException | RuntimeException e) {
            upstream.close();
            eventLoops.shutdownGracefully();
            throw e;
        }

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        RequestMetrics metrics = new RequestMetrics(registry);

        ChainRunner runner = new ChainRunner(assembly.chain(), new ProviderProxy(assembly.catalog()),
                metrics::recordFilter);
        AdminServices admin = new AdminServices(assembly.catalog(), registry);

        ServerBuilder sb = Server.builder()
                .http(new InetSocketAddress(config.gateway().host(), config.gateway().port()))
                .workerGroup(eventLoops, false)
                .maxRequestLength(config.gateway().maxBodyBytes())
                // Streams may last minutes; upstream timeouts bound a request instead.
                .requestTimeoutMillis(0)
                .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(10))
                .errorHandler(new GatewayErrorHandler())
                .meterRegistry(registry)
                // A burst of new clients (a deploy, a reconnect storm) must queue, not be refused:
                // the kernel caps this at net.core.somaxconn.
                .channelOption(ChannelOption.SO_BACKLOG, 65535);
        for (String prefix : API_PREFIXES) {
            for (ApiEndpoint endpoint : ApiEndpoint.values()) {
                HttpService service = new InferenceService(endpoint, runner, assembly.catalog(), metrics);
                long limit = endpoint.isMultipart() ? config.gateway().maxUploadBytes() : config.gateway().maxBodyBytes();
                sb.route().post(prefix + endpoint.path()).maxRequestLength(limit).build(service);
            }
            sb.route().post(prefix + "/messages").maxRequestLength(config.gateway().maxBodyBytes())
                    .build(InferenceService.anthropicMessages(runner, assembly.catalog(), metrics));
            sb.route().post(prefix + "/messages/count_tokens").maxRequestLength(config.gateway().maxBodyBytes())
                    .build(new CountTokensService(assembly.catalog()));
            sb.route().get(prefix + "/models").build(admin.models());
            sb.route().get(prefix + "/models/{model}").build(admin.model());
        }
        sb.route().get("/health").build(admin.health());
        sb.route().get("/admin/upstreams").build(admin.upstreams());
        sb.route().get("/status").build(admin.status());
        sb.route().get("/metrics").build(admin.metrics());
        Server server = sb.build();
        try {
            server.start().join();
        } catch (RuntimeException e) {
            server.close();
            upstream.close();
            eventLoops.shutdownGracefully();
            gcMetrics.close();
            throw e;
        }
        return new Gateway(server, eventLoops, upstream, gcMetrics, assembly.chain(), assembly.catalog());
    }

    /** The port the server listens on (useful with port 0). */
    public int port() {
        return server.activeLocalPort();
    }

    /** The filter chain in its order, as built from the config. */
    public FilterChain chain() {
        return chain;
    }

    @Override
    public void close() {
        closeAsync().join();
    }

    /**
     * Stops taking requests; the future completes once in-flight ones are done and everything is released.
     * Armeria's stop includes a quiet period of its own event loops, so tests do not wait for it.
     */
    public CompletableFuture<Void> closeAsync() {
        catalog.close();
        return server.stop().handle((unused, failure) -> {
            upstream.close();
            gcMetrics.close();
            eventLoops.shutdownGracefully();
            return null;
        });
    }
}
