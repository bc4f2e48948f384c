package dev.budgateway.filters.auth;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keys of the {@code auth} filter.
 *
 * @param sources where a credential is looked up, in this order: {@code control_plane} (the keys budapp
 *     publishes to Redis), {@code static} ({@code static_keys}), {@code jwt}; by default every source that is
 *     configured, in that order
 * @param hashPrefix what is put before a presented key before it is hashed to find its control-plane record;
 *     the Rust gateway's {@code bud-}
 * @param staticKeys keys written in the file
 * @param jwt JSON Web Tokens from an identity provider
 */
public record AuthConfig(List<String> sources, String hashPrefix, List<StaticKeyConfig> staticKeys, JwtConfig jwt) {

    public static final List<String> SOURCE_ORDER = List.of("control_plane", "static", "jwt");
    public static final String DEFAULT_HASH_PREFIX = "bud-";

    public AuthConfig {
        sources = sources == null ? null : List.copyOf(sources);
        if (sources != null) {
            for (String s : sources) {
                if (!SOURCE_ORDER.contains(s)) {
                    throw new IllegalArgumentException("sources: unknown source '" + s + "' (known: "
                            + String.join(", ", SOURCE_ORDER) + ")");
                }
            }
            if (Set.copyOf(sources).size() != sources.size()) {
                throw new IllegalArgumentException("sources: a source is listed twice");
            }
        }
        hashPrefix = hashPrefix == null ? DEFAULT_HASH_PREFIX : hashPrefix;
        staticKeys = staticKeys == null ? List.of() : List.copyOf(staticKeys);
    }

    /**
     * One key in the file.
     *
     * @param key where the key is: {@code env::VAR} or {@code path::FILE}; or give {@code sha256}
     * @param sha256 the key's SHA-256, hex, so the file holds no secret
     * @param models the models it may call; {@code ["*"]} for all
     * @param name what logs and analytics call the key (its {@code api_key_id})
     * @param project the project it belongs to
     * @param user the user it belongs to
     */
    public record StaticKeyConfig(String key, String sha256, List<String> models, String name, String project,
            String user) {

        public StaticKeyConfig {
            if ((key == null) == (sha256 == null)) {
                throw new IllegalArgumentException("static_keys: give each key either key (env::VAR or path::FILE) "
                        + "or sha256");
            }
            if (sha256 != null && !sha256.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("static_keys: sha256 must be 64 hex digits");
            }
            if (key != null && !(key.startsWith("env::") || key.startsWith("path::"))) {
                throw new IllegalArgumentException("static_keys: key must be env::VAR or path::FILE (the key itself "
                        + "does not belong in the file; or give its sha256)");
            }
            models = models == null ? List.of("*") : List.copyOf(models);
        }
    }

    /**
     * JSON Web Tokens.
     *
     * @param issuer the required {@code iss}
     * @param audience the accepted {@code aud} values; one of them must be in the token
     * @param hs256Secret where the shared secret is ({@code env::VAR}, {@code path::FILE}), for HS256/384/512
     * @param publicKey where a PEM public key is ({@code env::VAR}, {@code path::FILE}), for RS*, PS* and ES*
     * @param jwksUrl where the issuer publishes its keys; fetched in the background, refreshed every
     *     {@code jwks_refresh_s} and when a token names an unknown key id
     * @param jwksRefreshS how often the key set is fetched again (default 300)
     * @param clockSkewS how far {@code exp} and {@code nbf} may be off (default 60)
     * @param rolesClaim the claim holding the caller's roles: a list, or a space-separated string
     * @param projectClaim the claim naming the caller's project, if any
     * @param roles what each role may use; a token needs at least one known role
     */
    public record JwtConfig(String issuer, List<String> audience, String hs256Secret, String publicKey,
            String jwksUrl, Long jwksRefreshS, Long clockSkewS, String rolesClaim, String projectClaim,
            Map<String, RoleConfig> roles) {

        public JwtConfig {
            int keys = (hs256Secret != null ? 1 : 0) + (publicKey != null ? 1 : 0) + (jwksUrl != null ? 1 : 0);
            if (keys != 1) {
                throw new IllegalArgumentException("jwt: give exactly one of hs256_secret, public_key and jwks_url");
            }
            if (jwksUrl != null && !(jwksUrl.startsWith("https://") || jwksUrl.startsWith("http://"))) {
                throw new IllegalArgumentException("jwt.jwks_url: expected an http:// or https:// URL");
            }
            audience = audience == null ? List.of() : List.copyOf(audience);
            jwksRefreshS = jwksRefreshS == null ? 300 : jwksRefreshS;
            clockSkewS = clockSkewS == null ? 60 : clockSkewS;
            if (jwksRefreshS < 1 || clockSkewS < 0 || clockSkewS > 3600) {
                throw new IllegalArgumentException("jwt: jwks_refresh_s must be at least 1 and clock_skew_s from 0 to "
                        + "3600");
            }
            rolesClaim = rolesClaim == null ? "roles" : rolesClaim;
            roles = roles == null ? Map.of() : Map.copyOf(roles);
            if (roles.isEmpty()) {
                throw new IllegalArgumentException("jwt.roles: map at least one role to the models it may use");
            }
        }
    }

    /**
     * What one role may use.
     *
     * @param models model names, {@code ["*"]} for all
     * @param endpoints endpoint names ({@code chat}, {@code embedding}, ...); all when absent
     */
    public record RoleConfig(List<String> models, List<String> endpoints) {
        public RoleConfig {
            models = models == null ? List.of() : List.copyOf(models);
            endpoints = endpoints == null ? null : List.copyOf(endpoints);
        }
    }
}
