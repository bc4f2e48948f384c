package dev.budgateway.filters.routing;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.providers.ModelCatalog;
import java.util.Set;

/** {@code type = "routing"}: resolves the requested model to its ordered candidate providers. */
public final class RoutingFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "routing";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        config.bind(RoutingConfig.class);
        ModelCatalog catalog = env.service(ModelCatalog.SERVICE).orElseThrow(
                () -> new ConfigException(config.path(), "the routing filter needs the model catalogue"));
        return new RoutingFilter(catalog);
    }

    @Override
    public Set<Key<?>> provides() {
        return Set.of(Keys.ROUTE);
    }
}
