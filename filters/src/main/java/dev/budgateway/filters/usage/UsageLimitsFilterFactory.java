package dev.budgateway.filters.usage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.Pricing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code type = "usage-limits"}: the control plane's per-user token and cost quotas and the file's, reserved then
 * settled.
 */
public final class UsageLimitsFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "usage-limits";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        UsageLimitsConfig c = config.bind(UsageLimitsConfig.class);
        ControlPlane controlPlane = env.service(ControlPlane.SERVICE).orElseThrow(() -> new ConfigException(
                config.path(), "needs Redis, where the control plane keeps the quotas: set [redis] url or "
                        + "TENSORZERO_REDIS_URL"));
        Map<String, Pricing> prices = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : c.prices().entrySet()) {
            prices.put(e.getKey(), price(config.path() + ".prices." + e.getKey(), e.getValue()));
        }
        Pricing defaultPrice = c.defaultPrice() == null ? Pricing.RUST_DEFAULT
                : price(config.path() + ".default_price", c.defaultPrice());
        List<Quota> quotas = new ArrayList<>();
        for (int i = 0; i < c.quotas().size(); i++) {
            try {
                quotas.add(Quota.parse(c.quotas().get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(config.path() + ".quotas[" + i + "]", e.getMessage());
            }
        }
        return new UsageLimitsFilter(controlPlane, c, prices, defaultPrice, quotas, env.clock(), env.metrics());
    }

    private static Pricing price(String path, JsonNode node) throws ConfigException {
        try {
            return Pricing.parse(node);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, e.getMessage());
        }
    }
}
