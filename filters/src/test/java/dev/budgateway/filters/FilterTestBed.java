package dev.budgateway.filters;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.linecorp.armeria.common.util.EventLoopGroups;
import dev.budgateway.config.ConfigLoader;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.UpstreamClient;
import io.netty.channel.EventLoopGroup;

/**
 * A model catalogue from TOML and the built-in filters made by their own factories, as the gateway makes
 * them: what the filters' unit tests run through {@code ChainHarness}. The providers are never called;
 * the harness's scripted upstream answers instead.
 */
final class FilterTestBed implements AutoCloseable {

    final ModelCatalog catalog;
    private final EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(1);
    private final UpstreamClient upstream = new UpstreamClient(loops, 60_000, 1_000);
    private final TestFilterEnv env = new TestFilterEnv();

    FilterTestBed(String modelsToml) throws Exception {
        catalog = ModelCatalog.build(ConfigLoader.parse(modelsToml, k -> null), ModelCatalog.BUILT_IN_TYPES, upstream,
                k -> null);
        env.with(ModelCatalog.SERVICE, catalog);
    }

    /** A filter from its factory, with its {@code [[filters]]} settings as a JSON object. */
    Filter filter(FilterFactory factory, String settingsJson) throws Exception {
        var settings = settingsJson.isEmpty() ? JsonNodeFactory.instance.objectNode()
                : (com.fasterxml.jackson.databind.node.ObjectNode) dev.budgateway.plugins.spi.Json.parse(
                        settingsJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        FilterSpec spec = new FilterSpec("filters[0]", factory.type(), factory.type(), true, "reject",
                dev.budgateway.plugins.spi.FilterConfig.DEFAULT_TIMEOUT_MS, settings);
        return factory.create(spec, env);
    }

    @Override
    public void close() {
        catalog.close();
        upstream.close();
        loops.shutdownGracefully();
        env.close();
    }
}
