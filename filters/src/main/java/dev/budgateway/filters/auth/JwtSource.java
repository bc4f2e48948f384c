package dev.budgateway.filters.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.ModelGrants;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Bearer tokens an identity provider signed. Nimbus JOSE+JWT checks the signature with the configured
 * secret, public key or key set, restricted to the algorithms that fit the key (an HMAC over a public key is
 * never accepted, nor {@code none}); {@code exp}, {@code nbf}, {@code iss} and {@code aud} are checked here
 * against the gateway's clock with the configured skew. The token's roles map to the models and endpoints
 * it may use.
 */
final class JwtSource implements CredentialSource {

    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private record Role(Set<String> models, Set<ApiEndpoint> endpoints) {}

    private final AuthConfig.JwtConfig config;
    private final Clock clock;
    private final JWSVerifier fixedVerifier;
    private final Set<JWSAlgorithm> fixedAlgorithms;
    private final JwksCache jwks;
    private final Map<String, Role> roles;
    /** A key set's verifiers, built once per key rather than per token (building one converts the key). */
    private final Map<JWK, JWSVerifier> verifiers = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_VERIFIERS = 64;

    JwtSource(AuthConfig.JwtConfig config, String path, Function<String, String> env, Clock clock, JwksCache jwks)
            throws ConfigException {
        this.config = config;
        this.clock = clock;
        this.jwks = jwks;
        this.roles = roles(config, path);
        try {
            if (config.hs256Secret() != null) {
                byte[] secret = SecretLocation.read(config.hs256Secret(), path + ".jwt.hs256_secret", env).getBytes(
                        StandardCharsets.UTF_8);
                if (secret.length < 32) {
                    throw new ConfigException(path + ".jwt.hs256_secret", "the secret must be at least 32 bytes (256 "
                            + "bits) for HS256");
                }
                fixedVerifier = new MACVerifier(secret);
                fixedAlgorithms = HMAC;
            } else if (config.publicKey() != null) {
                PublicKey key = publicKey(SecretLocation.read(config.publicKey(), path + ".jwt.public_key", env),
                        path + ".jwt.public_key");
                if (key instanceof RSAPublicKey rsa) {
                    fixedVerifier = new RSASSAVerifier(rsa);
                    fixedAlgorithms = RSA;
                } else if (key instanceof ECPublicKey ec) {
                    fixedVerifier = new ECDSAVerifier(ec);
                    fixedAlgorithms = EC;
                } else {
                    throw new ConfigException(path + ".jwt.public_key", "expected an RSA or EC public key");
                }
            } else {
                fixedVerifier = null;
                fixedAlgorithms = Set.of();
            }
        } catch (JOSEException e) {
            throw new ConfigException(path + ".jwt", "the key cannot verify tokens: " + e.getMessage());
        }
    }

    private static Map<String, Role> roles(AuthConfig.JwtConfig config, String path) throws ConfigException {
        Map<String, Role> out = new HashMap<>();
        for (Map.Entry<String, AuthConfig.RoleConfig> e : config.roles().entrySet()) {
            Set<ApiEndpoint> endpoints = null;
            if (e.getValue().endpoints() != null) {
                endpoints = new HashSet<>();
                for (String name : e.getValue().endpoints()) {
                    ApiEndpoint endpoint = ApiEndpoint.fromConfigName(name);
                    if (endpoint == null) {
                        throw new ConfigException(path + ".jwt.roles." + e.getKey() + ".endpoints",
                                "unknown endpoint '" + name + "'");
                    }
                    endpoints.add(endpoint);
                }
            }
            out.put(e.getKey(), new Role(Set.copyOf(e.getValue().models()), endpoints));
        }
        return Map.copyOf(out);
    }

    /** Three base64url parts, the first a JSON header: the form of a JWS in compact serialisation. */
    static boolean looksLikeJwt(String credential) {
        int first = credential.indexOf('.');
        return credential.startsWith("eyJ") && first > 0 && credential.indexOf('.', first + 1) > first
                && credential.indexOf('.', credential.indexOf('.', first + 1) + 1) < 0;
    }

    @Override
    public FilterResult authenticate(String credential, Exchange exchange) {
        if (!looksLikeJwt(credential)) {
            return null;
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(credential);
        } catch (ParseException e) {
            return invalid("malformed");
        }
        if (jwks == null) {
            return verified(jwt, fixedVerifier, fixedAlgorithms, exchange);
        }
        String keyId = jwt.getHeader().getKeyID();
        JWK key = jwks.find(keyId);
        if (key != null) {
            return verified(jwt, key, exchange);
        }
        // A key id the set lacks: the provider may have rotated its keys since the last fetch.
        return FilterResult.await(jwks.refetch(), (ex, set) -> {
            JWK fresh = jwks.find(keyId);
            return fresh == null ? invalid("unknown signing key") : verified(jwt, fresh, ex);
        });
    }

    private FilterResult verified(SignedJWT jwt, JWK key, Exchange exchange) {
        JWSVerifier verifier = verifiers.get(key);
        if (verifier == null) {
            try {
                if (key instanceof RSAKey rsa) {
                    verifier = new RSASSAVerifier(rsa);
                } else if (key instanceof ECKey ec) {
                    verifier = new ECDSAVerifier(ec);
                } else {
                    return invalid("unsupported signing key type");
                }
            } catch (JOSEException e) {
                return invalid("unusable signing key");
            }
            if (verifiers.size() >= MAX_VERIFIERS) {
                verifiers.clear(); // rotated keys leave theirs behind
            }
            verifiers.put(key, verifier);
        }
        return verified(jwt, verifier, key instanceof RSAKey ? RSA : EC, exchange);
    }

    private FilterResult verified(SignedJWT jwt, JWSVerifier verifier, Set<JWSAlgorithm> algorithms,
            Exchange exchange) {
        if (!algorithms.contains(jwt.getHeader().getAlgorithm())) {
            return invalid("algorithm not accepted");
        }
        JWTClaimsSet claims;
        try {
            if (!jwt.verify(verifier)) {
                return invalid("bad signature");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (JOSEException | ParseException e) {
            return invalid("bad signature");
        }
        long now = clock.millis();
        long skew = config.clockSkewS() * 1000;
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return invalid("no expiry (exp)");
        }
        if (now > exp.getTime() + skew) {
            return invalid("expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skew < nbf.getTime()) {
            return invalid("not yet valid");
        }
        if (config.issuer() != null && !config.issuer().equals(claims.getIssuer())) {
            return invalid("wrong issuer");
        }
        if (!config.audience().isEmpty() && (claims.getAudience() == null
                || claims.getAudience().stream().noneMatch(config.audience()::contains))) {
            return invalid("wrong audience");
        }
        return authorized(claims, exchange);
    }

    private FilterResult authorized(JWTClaimsSet claims, Exchange exchange) {
        List<String> held = rolesOf(claims.getClaim(config.rolesClaim()));
        List<Role> known = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        boolean all = false;
        for (String r : held) {
            Role role = roles.get(r);
            if (role != null) {
                known.add(role);
                all |= role.models.contains("*");
                names.addAll(role.models);
            }
        }
        if (known.isEmpty()) {
            return FilterResult.reject(GatewayError.forbidden("no_role", "The token has no role this gateway grants "
                    + "access to"));
        }
        String model = Decisions.modelToCheck(exchange);
        if (model != null) {
            boolean allowed = false;
            for (Role role : known) {
                allowed |= (role.models.contains("*") || role.models.contains(model))
                        && (role.endpoints == null || role.endpoints.contains(exchange.endpoint()));
            }
            if (!allowed) {
                return FilterResult.reject(GatewayError.forbidden("model_not_allowed", "The token's roles do not "
                        + "allow model '" + model + "' on the '" + exchange.endpoint().configName() + "' endpoint"));
            }
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put("roles", String.join(" ", held));
        if (claims.getIssuer() != null) {
            attributes.put("issuer", claims.getIssuer());
        }
        String project = null;
        if (config.projectClaim() != null && claims.getClaim(config.projectClaim()) instanceof String p) {
            project = p;
        }
        exchange.put(Keys.IDENTITY, new Identity("jwt", null, claims.getSubject(), project, attributes));
        names.remove("*");
        exchange.put(Keys.MODEL_GRANTS, all ? ModelGrants.ALL : new ModelGrants(false, names));
        return FilterResult.CONTINUE;
    }

    private static List<String> rolesOf(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        } else if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static FilterResult invalid(String why) {
        return FilterResult.reject(GatewayError.unauthorized("Invalid token: " + why));
    }

    private static PublicKey publicKey(String pem, String where) throws ConfigException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof SubjectPublicKeyInfo info) {
                return converter.getPublicKey(info);
            }
            if (o instanceof X509CertificateHolder cert) {
                return converter.getPublicKey(cert.getSubjectPublicKeyInfo());
            }
            throw new ConfigException(where, "expected a PEM public key ('PUBLIC KEY') or certificate");
        } catch (IOException e) {
            throw new ConfigException(where, "not valid PEM");
        }
    }
}
