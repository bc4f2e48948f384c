package dev.budgateway.filters.auth;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.ModelGrants;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Keys written in the file, held as SHA-256 digests only. A presented key's digest is compared with every
 * one in constant time, so neither the time taken nor an early exit tells how close a guess was.
 */
final class StaticKeySource implements CredentialSource {

    private record StaticKey(byte[] digest, ModelGrants grants, Identity identity) {}

    private final List<StaticKey> keys;

    private StaticKeySource(List<StaticKey> keys) {
        this.keys = keys;
    }

    static StaticKeySource create(List<AuthConfig.StaticKeyConfig> configs, String path, Function<String, String> env)
            throws ConfigException {
        List<StaticKey> keys = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            AuthConfig.StaticKeyConfig c = configs.get(i);
            String where = path + ".static_keys[" + i + "]";
            byte[] digest = c.sha256() != null ? HexFormat.of().parseHex(c.sha256().toLowerCase(java.util.Locale.ROOT))
                    : KeyHash.sha256(SecretLocation.read(c.key(), where + ".key", env));
            Set<String> models = Set.copyOf(c.models());
            ModelGrants grants = models.contains("*") ? ModelGrants.ALL : new ModelGrants(false, models);
            String name = c.name() != null ? c.name() : "static-" + i;
            keys.add(new StaticKey(digest, grants, new Identity("static_key", name, c.user(), c.project(),
                    Map.of())));
        }
        return new StaticKeySource(List.copyOf(keys));
    }

    @Override
    public FilterResult authenticate(String credential, Exchange exchange) {
        byte[] digest = KeyHash.sha256(credential);
        StaticKey match = null;
        for (StaticKey k : keys) {
            if (MessageDigest.isEqual(k.digest, digest)) {
                match = k;
            }
        }
        if (match == null) {
            return null;
        }
        String model = Decisions.modelToCheck(exchange);
        if (model != null && !match.grants.allows(model)) {
            return Decisions.notGranted(model);
        }
        exchange.put(Keys.IDENTITY, match.identity);
        exchange.put(Keys.MODEL_GRANTS, match.grants);
        return FilterResult.CONTINUE;
    }
}
