package dev.budgateway.server;

import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.budgateway.analytics.MicrometerFilterMetrics;
import dev.budgateway.analytics.ObservabilitySection;
import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.analytics.RequestMetrics;
import dev.budgateway.analytics.clickhouse.AnalyticsWriter;
import dev.budgateway.analytics.clickhouse.ClickHouseSection;
import dev.budgateway.analytics.clickhouse.ClickHouseSettings;
import dev.budgateway.analytics.tracing.TraceExport;
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
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running gateway: the Armeria server, its event loops and its upstream client. */
public final class Gateway implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(Gateway.class);
    private static final String[] API_PREFIXES = {"/v1", "/openai/v1"};
    /** Once nothing has been in flight this long during shutdown, the server stops. */
    private static final long QUIET_PERIOD_MS = 500;

    private final Server server;
    private final EventLoopGroup eventLoops;
    private final UpstreamClient upstream;
    private final JvmGcMetrics gcMetrics;
    private final FilterChain chain;
    private final ModelCatalog catalog;
    private final HostServices services;
    private final Drain drain;
    private final long shutdownGraceMs;
    /** The port that serves only {@code /metrics}, or {@code null}. */
    private final Integer metricsPort;

    private Gateway(Server server, EventLoopGroup eventLoops, UpstreamClient upstream, JvmGcMetrics gcMetrics,
            FilterChain chain, ModelCatalog catalog, HostServices services, Drain drain, long shutdownGraceMs,
            Integer metricsPort) {
        this.services = services;
        this.metricsPort = metricsPort;
        this.server = server;
        this.eventLoops = eventLoops;
        this.upstream = upstream;
        this.gcMetrics = gcMetrics;
        this.chain = chain;
        this.catalog = catalog;
        this.drain = drain;
        this.shutdownGraceMs = shutdownGraceMs;
    }

    /** Builds and starts a gateway; blocks until it listens. */
    public static Gateway start(GatewayConfig config, Function<String, String> env) throws ConfigException {
        // One group for the server and the upstream client: a request and its upstream call stay on one thread.
        EventLoopGroup eventLoops = EventLoopGroups.newEventLoopGroup(config.gateway().eventLoops());
        UpstreamClient upstream = new UpstreamClient(eventLoops, config.gateway().globalTimeoutMs(),
                config.gateway().connectTimeoutMs(), config.gateway().upstreamLimits());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HostServices services = new HostServices(eventLoops, Clock.systemUTC(), new MicrometerFilterMetrics(registry));
        GatewayAssembly assembly;
        try {
            assembly = GatewayAssembly.build(config, upstream, services, env);
        } catch (ConfigException | RuntimeException e) {
            upstream.close();
            eventLoops.shutdownGracefully();
            throw e;
        }

        assembly.start();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        ObservabilitySettings observability = java.util.Objects.requireNonNullElse(
                config.section(ObservabilitySection.INSTANCE), ObservabilitySettings.DEFAULT);
        RequestMetrics metrics = new RequestMetrics(registry);
        services.addCompletionSink(new RequestMetricsSink(metrics, assembly.catalog().configured().stream()
                .map(m -> m.name()).collect(java.util.stream.Collectors.toSet()), observability));
        services.addCompletionSink(new RequestLogSink());
        services.observability(observability);
        TraceExport traces = TraceExport.start(observability, env, registry);
        if (traces != null) {
            services.spans(traces.spans());
            services.dependency("otlp", traces::state);
            services.onClose(traces);
        }
        ClickHouseSettings clickhouse = config.section(ClickHouseSection.INSTANCE);
        if (clickhouse != null && clickhouse.enabled()) {
            AnalyticsWriter analytics = AnalyticsWriter.start(clickhouse, observability, registry);
            services.addCompletionSink(analytics);
            services.dependency("clickhouse", analytics::state);
            services.onClose(analytics);
        }

        ChainRunner runner = new ChainRunner(assembly.chain(), new ProviderProxy(assembly.catalog()),
                metrics::recordFilter);
        Drain drain = new Drain();
        Admission admission = new Admission(config.gateway().maxConcurrentRequests(), registry);
        logger.info("Admitting at most {} requests at once (gateway.max_concurrent_requests{})", admission.limit(),
                config.gateway().maxConcurrentRequests() > 0 ? "" : ", from the heap and the file limit");
        if (admission.fileLimit() > 0 && admission.filesNeeded() > admission.fileLimit()) {
            logger.warn("gateway.max_concurrent_requests = {} needs about {} open files (two sockets a request), but "
                    + "the file limit is {}: past it, upstream connections cannot be opened and their requests fail "
                    + "with a 503 after their body was read; raise the limit (ulimit -n, LimitNOFILE)",
                    admission.limit(), admission.filesNeeded(), admission.fileLimit());
        }
        io.micrometer.core.instrument.Gauge.builder("budgateway.stream.client_pending_bytes",
                ClientDemand::allPendingBytes).description("Bytes of streams written and not yet taken by their "
                        + "clients' connections").register(registry);
        AdminServices admin = new AdminServices(assembly.catalog(), registry, drain, services);
        long bodyTimeoutMs = config.gateway().requestBodyTimeoutMs();
        long graceMs = config.gateway().shutdownGraceMs();

        ServerBuilder sb = Server.builder()
                .http(new InetSocketAddress(config.gateway().host(), config.gateway().port()))
                .workerGroup(eventLoops, false)
                .maxRequestLength(config.gateway().maxBodyBytes())
                // Streams may last minutes: a request has a timeout only while its body arrives
                // (RequestBodyTimeout); upstream timeouts bound the rest.
                .requestTimeoutMillis(0)
                // Also bounds a client that never finishes its headers: no request is in progress until then.
                .idleTimeoutMillis(config.gateway().idleTimeoutMs())
                // Stop once nothing has been in flight for a moment, or when the grace period (after which
                // Drain ends what is left) is over.
                .gracefulShutdownTimeout(Duration.ofMillis(Math.min(QUIET_PERIOD_MS, graceMs)),
                        Duration.ofMillis(graceMs + QUIET_PERIOD_MS + 1000))
                .errorHandler(new GatewayErrorHandler())
                .meterRegistry(registry)
                // A burst of new clients (a deploy, a reconnect storm) must queue, not be refused:
                // the kernel caps this at net.core.somaxconn.
                .channelOption(ChannelOption.SO_BACKLOG, 65535);
        // What the gateway answers itself still passes the filters that guard access (authentication, blocking).
        FilterChain guards = assembly.chain().beforeRouting();
        ChainRunner countTokens = new ChainRunner(guards, AnthropicCountTokensApi.answer(assembly.catalog()),
                metrics::recordFilter);
        ChainRunner models = new ChainRunner(guards, ModelsApi.answer(assembly.catalog()), metrics::recordFilter);
        HttpService messagesService = new InferenceService(new AnthropicMessagesApi(), runner, services, bodyTimeoutMs,
                drain, admission);
        HttpService countService = new InferenceService(new AnthropicCountTokensApi(), countTokens, services,
                bodyTimeoutMs, drain, admission);
        HttpService modelsService = new InferenceService(new ModelsApi(), models, services, bodyTimeoutMs, drain,
                admission);
        for (String prefix : API_PREFIXES) {
            for (ApiEndpoint endpoint : ApiEndpoint.values()) {
                if (!endpoint.isCapability()) {
                    continue;
                }
                HttpService service = new InferenceService(new OpenAiApi(endpoint), runner, services, bodyTimeoutMs,
                        drain, admission);
                long limit = endpoint.isMultipart() ? config.gateway().maxUploadBytes() : config.gateway().maxBodyBytes();
                sb.route().post(prefix + endpoint.path()).maxRequestLength(limit).build(service);
            }
            sb.route().post(prefix + "/messages").maxRequestLength(config.gateway().maxBodyBytes())
                    .build(messagesService);
            sb.route().post(prefix + ApiEndpoint.COUNT_TOKENS.path()).maxRequestLength(config.gateway().maxBodyBytes())
                    .build(countService);
            sb.route().get(prefix + "/models").build(modelsService);
            sb.route().get(prefix + "/models/{model}").build(modelsService);
        }
        Integer metricsPort = config.gateway().metricsPort();
        if (metricsPort != null) {
            // Prometheus may scrape a port the API is not on: only /metrics there.
            int only = metricsPort;
            sb.http(new InetSocketAddress(config.gateway().host(), only));
            sb.decorator((delegate, ctx, req) -> ctx.localAddress().getPort() == only
                    && !ctx.path().equals("/metrics")
                    ? ErrorResponses.of(ErrorResponses.forStatus(com.linecorp.armeria.common.HttpStatus.NOT_FOUND,
                            null), null).toHttpResponse()
                    : delegate.serve(ctx, req));
        }
        AdminSettings adminSettings = config.section(AdminSection.INSTANCE);
        sb.decorator(new AdminGuard(adminSettings == null ? AdminSettings.NONE : adminSettings,
                config.filters().stream().anyMatch(f -> f.enabled() && f.type().equals("auth"))));
        sb.route().get("/health").build(admin.health());
        sb.route().get("/admin/upstreams").build(admin.upstreams());
        sb.route().get("/status").build(admin.status());
        sb.route().get("/metrics").build(admin.metrics());
        Server server = sb.build();
        try {
            server.start().join();
        } catch (RuntimeException e) {
            server.close();
            assembly.chain().close();
            services.close();
            upstream.close();
            eventLoops.shutdownGracefully();
            gcMetrics.close();
            throw e;
        }
        return new Gateway(server, eventLoops, upstream, gcMetrics, assembly.chain(), assembly.catalog(), services,
                drain, graceMs, metricsPort);
    }

    /** The port the API is served on (useful with port 0). */
    public int port() {
        if (metricsPort == null) {
            return server.activeLocalPort();
        }
        return server.activePorts().values().stream().map(p -> p.localAddress().getPort())
                .filter(p -> p != metricsPort.intValue()).findFirst().orElseThrow();
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
     * Stops: {@code /health} reports 503 at once, requests and streams in flight have the grace period
     * ({@code gateway.shutdown_grace_period_ms}) to finish, those still running then end with a 503 error
     * the client can read, and the future completes once everything is released. Armeria's stop includes
     * a quiet period of its own event loops, so tests do not wait for it.
     */
    public synchronized CompletableFuture<Void> closeAsync() {
        if (closed != null) {
            return closed; // a second stop (a signal during a stop, a test's cleanup) waits for the first
        }
        drain.begin();
        catalog.close(); // health checks stop; calls in flight go on
        logger.info("Stopping: {} request(s) in flight, {} ms to finish", drain.inFlight(), shutdownGraceMs);
        ScheduledFuture<?> cut = eventLoops.next().schedule(drain::endRemaining, shutdownGraceMs,
                TimeUnit.MILLISECONDS);
        closed = server.stop().handle((unused, failure) -> {
            cut.cancel(false);
            // Nothing is in flight any more: filters flush and close, then what they share, then the transport.
            chain.close();
            services.close();
            upstream.close();
            gcMetrics.close();
            eventLoops.shutdownGracefully();
            return null;
        });
        return closed;
    }

    private CompletableFuture<Void> closed;
}
