package dev.budgateway.filters.blocking;

import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import java.util.ArrayList;
import java.util.List;

/** {@code type = "blocking"}: IP, country, ASN, user-agent and rate rules from the file and the control plane. */
public final class BlockingFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "blocking";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        BlockingConfig c = config.bind(BlockingConfig.class);
        List<BlockingRule> fileRules = new ArrayList<>();
        for (int i = 0; i < c.rules().size(); i++) {
            try {
                fileRules.add(BlockingRule.parse(c.rules().get(i), null));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(config.path() + ".rules[" + i + "]", e.getMessage());
            }
        }
        ControlPlane controlPlane = env.service(ControlPlane.SERVICE).orElse(null);
        if (Boolean.TRUE.equals(c.controlPlane()) && controlPlane == null) {
            throw new ConfigException(config.path() + ".control_plane", "needs Redis: set [redis] url or "
                    + "TENSORZERO_REDIS_URL");
        }
        if (Boolean.FALSE.equals(c.controlPlane())) {
            controlPlane = null;
        }
        BlockingRules rules = new BlockingRules(fileRules, env.clock());
        if (controlPlane != null) {
            rules.watch(controlPlane);
        }
        return new BlockingFilter(rules, env.clock(), controlPlane, c.onRedisError().equals("count_locally"),
                env.metrics());
    }
}
