package dev.budgateway.filters;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.linecorp.armeria.common.util.EventLoopGroups;
import dev.budgateway.config.ConfigLoader;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.ServiceKey;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A model catalogue from TOML and the built-in filters made by their own factories, as the gateway makes
 * them: what the filters' unit tests run through {@code ChainHarness}. The providers are never called;
 * the harness's scripted upstream answers instead.
 */
final class FilterTestBed implements AutoCloseable {

    final ModelCatalog catalog;
    private final EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(1);
    private final UpstreamClient upstream = new UpstreamClient(loops, 60_000, 1_000);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    FilterTestBed(String modelsToml) throws Exception {
        catalog = ModelCatalog.build(ConfigLoader.parse(modelsToml, k -> null), ModelCatalog.BUILT_IN_TYPES, upstream,
                k -> null);
    }

    /** A filter from its factory, with its {@code [[filters]]} settings as a JSON object. */
    Filter filter(FilterFactory factory, String settingsJson) throws Exception {
        var settings = settingsJson.isEmpty() ? JsonNodeFactory.instance.objectNode()
                : (com.fasterxml.jackson.databind.node.ObjectNode) dev.budgateway.plugins.spi.Json.parse(
                        settingsJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        FilterSpec spec = new FilterSpec("filters[0]", factory.type(), factory.type(), true, "reject",
                dev.budgateway.plugins.spi.FilterConfig.DEFAULT_TIMEOUT_MS, settings);
        return factory.create(spec, new FilterEnv() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Optional<T> service(ServiceKey<T> key) {
                return key.equals(ModelCatalog.SERVICE) ? Optional.of((T) catalog) : Optional.empty();
            }

            @Override
            public ScheduledExecutorService scheduler() {
                return scheduler;
            }
        });
    }

    @Override
    public void close() {
        catalog.close();
        upstream.close();
        loops.shutdownGracefully();
        scheduler.shutdownNow();
    }
}
