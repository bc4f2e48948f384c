package dev.budgateway.plugins.example;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;

/** {@code type = "example-deny"}: answers 403 by itself when the request has a given header. */
public final class DenyFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "example-deny";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        DenyConfig c = config.bind(DenyConfig.class);
        FilterResult deny = FilterResult.reject(GatewayError.forbidden("denied", c.message()));
        return exchange -> exchange.header(c.header()) != null ? deny : FilterResult.CONTINUE;
    }
}
