package dev.budgateway.filters.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The auth filter made by its factory and run through the chain harness: static keys and JWTs. */
class AuthFilterTest {

    static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    final TestFilterEnv env = new TestFilterEnv().clock(Clock.fixed(NOW, ZoneOffset.UTC));
    HttpServer jwksServer;

    @AfterEach
    void close() {
        env.close();
        if (jwksServer != null) {
            jwksServer.stop(0);
        }
    }

    Filter auth(String settingsJson) throws Exception {
        ObjectNode settings = (ObjectNode) Json.parse(settingsJson.getBytes(StandardCharsets.UTF_8));
        return new AuthFilterFactory().create(new FilterSpec("filters[0]", "auth", "auth", true, "reject",
                FilterConfig.DEFAULT_TIMEOUT_MS, settings), env);
    }

    static ChainHarness chain(Filter auth) {
        return ChainHarness.create().filter("auth", auth).filter("routing", e -> FilterResult.CONTINUE)
                .upstream(Upstreams.unary("{\"choices\":[]}"));
    }

    static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(KeyHash.sha256(key));
    }

    @Test
    void staticKeysByBearerOrXApiKeyWithTheirModels() throws Exception {
        Filter f = auth("{\"static_keys\":[{\"sha256\":\"" + sha256("key-one") + "\",\"models\":[\"gpt-4o\"],"
                + "\"name\":\"ops\",\"project\":\"p1\",\"user\":\"u1\"},{\"sha256\":\"" + sha256("key-all") + "\"}]}");
        try (ChainHarness h = chain(f)) {
            ChainHarness.Outcome ok = h.send(BODY, Map.of("authorization", "Bearer key-one"));
            assertEquals(200, ok.status());
            Identity id = ok.get(Keys.IDENTITY);
            assertEquals("ops", id.apiKeyId());
            assertEquals("p1", id.projectId());
            assertEquals("u1", id.userId());
            assertEquals(200, h.send(BODY, Map.of("x-api-key", "key-one")).status(), "Anthropic SDKs' header");
            assertEquals(200, h.send(BODY.replace("gpt-4o", "other"), Map.of("x-api-key", "key-all")).status());

            ChainHarness.Outcome missing = h.send(BODY, Map.of());
            assertEquals(401, missing.status());
            assertEquals("Missing authorization header", missing.error().message());
            ChainHarness.Outcome wrong = h.send(BODY, Map.of("authorization", "Bearer key-two"));
            assertEquals(401, wrong.status());
            assertEquals("Invalid API key", wrong.error().message());
            ChainHarness.Outcome ungranted = h.send(BODY.replace("gpt-4o", "other"), Map.of("authorization",
                    "Bearer key-one"));
            assertEquals(404, ungranted.status());
            assertEquals("Model not found: other", ungranted.error().message());
            assertNull(ungranted.get(Keys.IDENTITY));
        }
    }

    @Test
    void theModelListIsFilteredByGrantsNotRefused() throws Exception {
        Filter f = auth("{\"static_keys\":[{\"sha256\":\"" + sha256("key-one") + "\",\"models\":[\"a\",\"b\"]}]}");
        try (ChainHarness h = chain(f).endpoint(ApiEndpoint.MODELS)) {
            ChainHarness.Outcome o = h.send("{}", Map.of("authorization", "Bearer key-one"));
            assertEquals(200, o.status());
            assertEquals(java.util.Set.of("a", "b"), o.get(Keys.MODEL_GRANTS).names());
        }
    }

    @Test
    void aConfigWithoutSourcesOrWithSecretsInlineIsRefused() {
        ConfigException none = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> auth("{}"));
        assertTrue(none.getMessage().contains("no credential source"), none.getMessage());
        ConfigException inline = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> auth("{\"static_keys\":[{\"key\":\"sk-plain\"}]}"));
        assertTrue(inline.getMessage().contains("env::VAR"), inline.getMessage());
    }

    static String hs256(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer("https://idp.example").audience("budgateway").subject("alice")
                .expirationTime(Date.from(NOW.plusSeconds(600))).claim("roles", List.of("analyst"));
    }

    Filter jwtFilter(String keySettings) throws Exception {
        return auth("{\"jwt\":{" + keySettings + ",\"issuer\":\"https://idp.example\",\"audience\":[\"budgateway\"],"
                + "\"roles\":{\"analyst\":{\"models\":[\"gpt-4o\"],\"endpoints\":[\"chat\"]},\"admin\":{\"models\":"
                + "[\"*\"]}}}}");
    }

    @Test
    void jwtClaimsAreCheckedWithTheGatewaysClock() throws Exception {
        java.nio.file.Path secretFile = java.nio.file.Files.createTempFile("jwt", ".secret");
        java.nio.file.Files.writeString(secretFile, SECRET);
        Filter f = jwtFilter("\"hs256_secret\":\"path::" + secretFile + "\"");
        try (ChainHarness h = chain(f)) {
            ChainHarness.Outcome ok = h.send(BODY, Map.of("authorization", "Bearer " + hs256(claims().build())));
            assertEquals(200, ok.status(), String.valueOf(ok.error()));
            assertEquals("alice", ok.get(Keys.IDENTITY).userId());
            assertEquals("jwt", ok.get(Keys.IDENTITY).method());

            Map<String, JWTClaimsSet> bad = Map.of(
                    "Invalid token: expired", claims().expirationTime(Date.from(NOW.minusSeconds(61))).build(),
                    "Invalid token: not yet valid", claims().notBeforeTime(Date.from(NOW.plusSeconds(61))).build(),
                    "Invalid token: wrong audience", claims().audience("someone-else").build(),
                    "Invalid token: wrong issuer", claims().issuer("https://evil.example").build());
            for (Map.Entry<String, JWTClaimsSet> e : bad.entrySet()) {
                ChainHarness.Outcome o = h.send(BODY, Map.of("authorization", "Bearer " + hs256(e.getValue())));
                assertEquals(401, o.status(), e.getKey());
                assertEquals(e.getKey(), o.error().message());
            }
            assertEquals(200, h.send(BODY, Map.of("authorization", "Bearer " + hs256(claims()
                    .expirationTime(Date.from(NOW.minusSeconds(30))).build()))).status(), "within the clock skew");

            ChainHarness.Outcome wrongModel = h.send(BODY.replace("gpt-4o", "o3"), Map.of("authorization",
                    "Bearer " + hs256(claims().build())));
            assertEquals(403, wrongModel.status(), "the role does not grant it");
            ChainHarness.Outcome noRole = h.send(BODY, Map.of("authorization", "Bearer " + hs256(claims()
                    .claim("roles", "visitor").build())));
            assertEquals(403, noRole.status());
            assertEquals(200, h.send(BODY.replace("gpt-4o", "o3"), Map.of("authorization", "Bearer " + hs256(claims()
                    .claim("roles", "analyst admin").build()))).status(), "roles as a space-separated string");

            SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
            forged.sign(new MACSigner("another-secret-of-at-least-32-bytes!!!".getBytes(StandardCharsets.UTF_8)));
            assertEquals("Invalid token: bad signature", h.send(BODY, Map.of("authorization", "Bearer "
                    + forged.serialize())).error().message());
        }
    }

    @Test
    void aRotatedJwksKeyIsFetchedWhenATokenNamesIt() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
        AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(first.toPublicJWK()));
        jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/jwks.json", exchange -> {
            byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksServer.start();
        // A real clock here: the key set's refetch is paced by it.
        TestFilterEnv realClock = new TestFilterEnv();
        try {
            ObjectNode settings = (ObjectNode) Json.parse(("{\"jwt\":{\"jwks_url\":\"http://127.0.0.1:"
                    + jwksServer.getAddress().getPort() + "/jwks.json\",\"roles\":{\"analyst\":{\"models\":[\"*\"]}}}}")
                    .getBytes(StandardCharsets.UTF_8));
            Filter f = new AuthFilterFactory().create(new FilterSpec("filters[0]", "auth", "auth", true, "reject",
                    FilterConfig.DEFAULT_TIMEOUT_MS, settings), realClock);
            try (ChainHarness h = chain(f)) {
                JWTClaimsSet c = new JWTClaimsSet.Builder().subject("bob").claim("roles", List.of("analyst"))
                        .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build();
                ChainHarness.Outcome withFirst = null;
                for (int i = 0; i < 100 && (withFirst == null || withFirst.status() != 200); i++) {
                    withFirst = h.send(BODY, Map.of("authorization", "Bearer " + rs256(first, c)));
                    Thread.sleep(20);
                }
                assertEquals(200, withFirst.status(), String.valueOf(withFirst.error()));
                Thread.sleep(1_100); // past the refetch pacing
                published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
                ChainHarness.Outcome withSecond = h.send(BODY, Map.of("authorization", "Bearer " + rs256(second, c)));
                assertEquals(200, withSecond.status(), String.valueOf(withSecond.error()));
                RSAKey stranger = new RSAKeyGenerator(2048).keyID("k9").generate();
                assertEquals("Invalid token: unknown signing key", h.send(BODY, Map.of("authorization", "Bearer "
                        + rs256(stranger, c))).error().message());

                // The identity provider goes away: the keys fetched keep verifying tokens.
                jwksServer.stop(0);
                jwksServer = null;
                Thread.sleep(1_100);
                assertEquals("Invalid token: unknown signing key", h.send(BODY, Map.of("authorization", "Bearer "
                        + rs256(stranger, c))).error().message(), "a refetch that fails");
                assertEquals(200, h.send(BODY, Map.of("authorization", "Bearer " + rs256(second, c))).status(),
                        "the last set fetched stays in use");
            }
        } finally {
            realClock.close();
        }
    }

    static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
