package dev.budgateway.filters.fallback;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.providers.ModelCatalog;
import java.util.Set;

/** {@code type = "fallback"}: tries the route's candidates in order until one answers. */
public final class FallbackFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "fallback";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        FallbackConfig c = config.bind(FallbackConfig.class);
        ModelCatalog catalog = env.service(ModelCatalog.SERVICE).orElseThrow(
                () -> new ConfigException(config.path(), "the fallback filter needs the model catalogue"));
        return new FallbackFilter(c.maxAttempts() == null ? Integer.MAX_VALUE : c.maxAttempts(),
                Boolean.TRUE.equals(c.resume()), c.maxBytesBeforeContent() == null
                        ? FallbackConfig.DEFAULT_MAX_BYTES_BEFORE_CONTENT : c.maxBytesBeforeContent(), catalog);
    }

    @Override
    public Set<Key<?>> requires() {
        return Set.of(Keys.ROUTE);
    }
}
