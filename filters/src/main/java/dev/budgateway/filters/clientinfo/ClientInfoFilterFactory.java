package dev.budgateway.filters.clientinfo;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/** {@code type = "client-info"}: the client's address (behind trusted proxies), GeoIP, user agent and SDK. */
public final class ClientInfoFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "client-info";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        ClientInfoConfig c = config.bind(ClientInfoConfig.class);
        IpRanges trusted;
        try {
            trusted = IpRanges.of(c.trustedProxies());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(config.path() + ".trusted_proxies", e.getMessage());
        }
        GeoDatabases geo = null;
        if (c.geoipDb() != null || c.asnDb() != null) {
            String which = c.geoipDb() != null ? "geoip_db" : "asn_db";
            try {
                geo = new GeoDatabases(c.geoipDb() == null ? null : Path.of(c.geoipDb()),
                        c.asnDb() == null ? null : Path.of(c.asnDb()), env.scheduler(), c.reloadIntervalS() * 1000,
                        env.metrics());
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(config.path() + "." + which, "cannot open the MaxMind database ("
                        + e.getMessage() + ")");
            }
            env.onClose(geo);
            env.dependency("geoip", geo::state);
        }
        AgentParser agents = c.userAgent() ? new AgentParser(c.agentCacheSize()) : null;
        return new ClientInfoFilter(new ClientAddress(trusted, c.forwardedHeaders()), geo, agents);
    }

    @Override
    public Set<Key<?>> provides() {
        return Set.of(Keys.CLIENT_INFO);
    }
}
