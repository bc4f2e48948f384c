package dev.budgateway.server;

import com.linecorp.armeria.common.util.EventLoopGroups;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.config.GatewayConfig;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.RedisControlPlane;
import dev.budgateway.filters.controlplane.RedisSection;
import dev.budgateway.filters.controlplane.RedisSettings;
import dev.budgateway.filters.controlplane.RsaSecrets;
import dev.budgateway.plugins.runtime.ChainBuilder;
import dev.budgateway.plugins.runtime.FilterChain;
import dev.budgateway.plugins.runtime.FilterDeclaration;
import dev.budgateway.plugins.runtime.FilterRegistry;
import dev.budgateway.plugins.runtime.OnError;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Builds the parts of a gateway from a config: the model catalogue, the filter registry (with plugins)
 * and the chain. Used by start-up and by {@code --validate-config}, so both report the same problems,
 * all of them at once.
 */
record GatewayAssembly(ModelCatalog catalog, FilterChain chain, HostServices services, RedisControlPlane controlPlane) {

    /** For checking a config: services with no metrics registry and nothing to serve. */
    static GatewayAssembly build(GatewayConfig config, UpstreamClient upstream, ScheduledExecutorService scheduler,
            Function<String, String> env) throws ConfigException {
        return build(config, upstream, new HostServices(scheduler, java.time.Clock.systemUTC(), FilterMetrics.NONE),
                env);
    }

    static GatewayAssembly build(GatewayConfig config, UpstreamClient upstream, HostServices services,
            Function<String, String> env) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        ModelCatalog catalog = ModelCatalog.build(config, ModelCatalog.BUILT_IN_TYPES, upstream, env, problems);
        FilterRegistry registry = null;
        try {
            registry = FilterRegistry.discover(GatewayAssembly.class.getClassLoader(), config.gateway().pluginsDir());
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        FilterChain chain = null;
        RedisControlPlane controlPlane = null;
        RedisSettings redis = config.section(RedisSection.INSTANCE);
        RsaSecrets secrets = RsaSecrets.none();
        try {
            secrets = RsaSecrets.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(RsaSecrets.KEY_PATH_VARIABLE, e.getMessage()));
        }
        if (redis != null && redis.enabled() && problems.isEmpty()) {
            // Created here so that filters can watch it; connects only when the gateway starts.
            // With a connection on each request loop: a filter's Redis command is sent and answered on its
            // request's own thread.
            controlPlane = services.scheduler() instanceof EventLoopGroup loops
                    ? new RedisControlPlane(redis, services.metrics(), loops, EventLoopGroups.socketChannelType(loops))
                    : new RedisControlPlane(redis, services.metrics());
            services.register(ControlPlane.SERVICE, controlPlane);
            services.dependency("redis", controlPlane::state);
            services.onClose(controlPlane);
            ControlPlaneModels.watch(controlPlane, catalog, secrets);
        }
        if (registry != null) {
            services.register(ModelCatalog.SERVICE, catalog);
            try {
                chain = ChainBuilder.build(declarations(config), registry, services);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            if (chain != null) {
                chain.close();
            }
            services.close();
            throw new ConfigException(config.report(problems));
        }
        return new GatewayAssembly(catalog, chain, services, controlPlane);
    }

    /** Starts what connects to the outside (the control plane's Redis); not called when only checking a config. */
    void start() {
        if (controlPlane != null) {
            controlPlane.start();
        }
    }

    private static List<FilterDeclaration> declarations(GatewayConfig config) {
        List<FilterDeclaration> out = new ArrayList<>();
        for (FilterSpec spec : config.filters()) {
            out.add(new FilterDeclaration(spec, spec.enabled(), OnError.valueOf(spec.onError().toUpperCase(Locale.ROOT))));
        }
        return out;
    }
}
