package dev.budgateway.filters.auth;

import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code type = "auth"}: who is calling, and which models it may use. Sources: the control plane's API keys
 * (Redis, through the mirror: no round trip per request), static keys from the file, and JWTs.
 */
public final class AuthFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "auth";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        AuthConfig c = config.bind(AuthConfig.class);
        Optional<ControlPlane> controlPlane = env.service(ControlPlane.SERVICE);
        List<String> order = c.sources();
        if (order == null) {
            order = new ArrayList<>();
            if (controlPlane.isPresent()) {
                order.add("control_plane");
            }
            if (!c.staticKeys().isEmpty()) {
                order.add("static");
            }
            if (c.jwt() != null) {
                order.add("jwt");
            }
            if (order.isEmpty()) {
                throw new ConfigException(config.path(), "no credential source: set [redis] url (or "
                        + "TENSORZERO_REDIS_URL) for the control plane's keys, or give static_keys or jwt");
            }
        }
        List<CredentialSource> sources = new ArrayList<>();
        for (String name : order) {
            switch (name) {
                case "control_plane" -> {
                    ControlPlane cp = controlPlane.orElseThrow(() -> new ConfigException(config.path() + ".sources",
                            "control_plane needs Redis: set [redis] url or TENSORZERO_REDIS_URL"));
                    sources.add(new ControlPlaneSource(new ControlPlaneKeys(cp, c.hashPrefix())));
                }
                case "static" -> {
                    if (c.staticKeys().isEmpty()) {
                        throw new ConfigException(config.path() + ".sources", "static is listed but static_keys is "
                                + "empty");
                    }
                    sources.add(StaticKeySource.create(c.staticKeys(), config.path(), System::getenv));
                }
                case "jwt" -> {
                    if (c.jwt() == null) {
                        throw new ConfigException(config.path() + ".sources", "jwt is listed but [jwt] is not set");
                    }
                    JwksCache jwks = null;
                    if (c.jwt().jwksUrl() != null) {
                        jwks = new JwksCache(URI.create(c.jwt().jwksUrl()), env.scheduler(), env.clock(),
                                c.jwt().jwksRefreshS() * 1000, env.metrics());
                        env.onClose(jwks);
                        env.dependency("jwks", jwks::state);
                    }
                    sources.add(new JwtSource(c.jwt(), config.path(), System::getenv, env.clock(), jwks));
                }
                default -> throw new IllegalStateException(name);
            }
        }
        return new AuthFilter(sources);
    }

    @Override
    public Set<Key<?>> provides() {
        return Set.of(Keys.IDENTITY, Keys.MODEL_GRANTS, Keys.RESOLVED_MODEL);
    }
}
