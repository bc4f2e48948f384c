package dev.budgateway.filters.blocking;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.filters.clientinfo.ClientInfoFilterFactory;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.Mirrors;
import dev.budgateway.filters.controlplane.RedisControlPlane;
import dev.budgateway.filters.controlplane.RedisServer;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The blocking filter through the chain harness, after the real client-info filter, with a real Redis. */
class BlockingFilterTest {

    static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[]}";
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    TestFilterEnv env() {
        TestFilterEnv env = new TestFilterEnv();
        closing.add(env);
        return env;
    }

    static Filter make(FilterFactory factory, String settings, TestFilterEnv env) throws Exception {
        return factory.create(new FilterSpec("filters[0]", factory.type(), factory.type(), true, "reject",
                FilterConfig.DEFAULT_TIMEOUT_MS, (ObjectNode) Json.parse(settings.getBytes(StandardCharsets.UTF_8))),
                env);
    }

    ChainHarness chain(String peer, Filter blocking) throws Exception {
        ChainHarness h = ChainHarness.create().peer(peer).filter("client-info", make(new ClientInfoFilterFactory(),
                "{}", env())).filter("blocking", blocking).filter("routing", e -> FilterResult.CONTINUE)
                .upstream(Upstreams.unary("{\"choices\":[]}"));
        closing.add(h);
        return h;
    }

    static String rule(String id, String type, int priority, String config, String extra) {
        return "{\"id\":\"" + id + "\",\"rule_type\":\"" + type + "\",\"name\":\"" + id + "-name\",\"priority\":" + priority
                + ",\"status\":\"ACTIVE\",\"config\":" + config + ",\"action\":\"BLOCK\"" + extra + "}";
    }

    static int status(ChainHarness h, Map<String, String> headers) {
        try {
            return h.send(BODY, headers).status();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fileRulesByAddressAgentAndPriorityWithLogOnlyAndScopes() throws Exception {
        String rules = "[" + rule("r-ip", "IP_BLOCKING", 10, "{\"ip_addresses\":[\"203.0.113.0/24\",\"2001:db8::/32\"]}", "")
                + "," + rule("r-ua", "USER_AGENT_BLOCKING", 5, "{\"patterns\":[\"/python-requests/[0-9]+/\",\"*scanner*\","
                + "\"BadBot\"]}", "")
                + "," + rule("r-log", "IP_BLOCKING", 50, "{\"ips\":[\"198.51.100.7\"]}", ",\"action\":\"log\"")
                + "," + rule("r-model", "IP_BLOCKING", 1, "{\"cidrs\":[\"192.0.2.0/24\"],\"models\":[\"gpt-4o\"]}", "")
                + "," + rule("r-old", "IP_BLOCKING", 99, "{\"ips\":[\"198.18.0.1\"]}", ",\"expires_at\":\"2020-01-01T00:00:00Z\"")
                + "]";
        Filter blocking = make(new BlockingFilterFactory(), "{\"rules\":" + rules + "}", env());
        ChainHarness.Outcome byIp = chain("203.0.113.5", blocking).send(BODY);
        assertEquals(403, byIp.status());
        assertEquals("IP 203.0.113.5 is blocked", byIp.error().message());
        assertEquals("blocked", byIp.error().code());
        assertEquals("r-ip", byIp.error().headers().get("x-blocked-by-rule"));
        assertEquals(403, chain("2001:db8::9", blocking).send(BODY).status(), "IPv6 CIDR");

        ChainHarness other = chain("8.8.4.4", blocking);
        assertEquals(200, status(other, Map.of("user-agent", "OpenAI/Python 1.54.3")));
        assertEquals(403, status(other, Map.of("user-agent", "python-requests/2.32.3")), "regex");
        assertEquals(403, status(other, Map.of("user-agent", "my SCANNER v2")), "glob, case-insensitive");
        assertEquals(403, status(other, Map.of("user-agent", "xx badbot yy")), "substring, case-insensitive");
        assertEquals(200, chain("198.51.100.7", blocking).send(BODY).status(), "action log records, does not block");
        assertEquals(403, chain("192.0.2.9", blocking).send(BODY).status(), "a rule scoped to the model asked for");
        assertEquals(200, chain("192.0.2.9", blocking).send(BODY.replace("gpt-4o", "llama")).status(),
                "and not to another model");
        assertEquals(200, chain("198.18.0.1", blocking).send(BODY).status(), "an expired rule does not apply");
    }

    RedisControlPlane mirror(RedisServer redis) {
        return Mirrors.of(redis, closing);
    }

    @Test
    void controlPlaneRulesApplyWithinASecondWithReasonsAndStats() throws Exception {
        RedisServer redis = RedisServer.start();
        closing.add(redis);
        RedisControlPlane mirror = mirror(redis);
        TestFilterEnv env = env().with(ControlPlane.SERVICE, mirror);
        Filter blocking = make(new BlockingFilterFactory(), "{}", env);
        Mirrors.start(mirror);
        ChainHarness h = chain("203.0.113.5", blocking);
        assertEquals(200, status(h, Map.of()));

        redis.set("blocking_rule_reason:r1-name", "Your network is blocked by the operator");
        redis.set(BlockingRules.GLOBAL, "[" + rule("r1", "IP_BLOCKING", 10, "{\"ip_addresses\":[\"203.0.113.5\"]}", "")
                + "]");
        within(1_000, () -> status(h, Map.of()) == 403, "a rule written to Redis");
        ChainHarness.Outcome o = h.send(BODY);
        assertEquals("Your network is blocked by the operator", o.error().message());
        assertEquals("Your network is blocked by the operator", o.error().headers().get("x-block-reason"));
        // The stats are written behind the requests: the two matches may land in two writes.
        within(1_000, () -> {
            String count = redis.commands().hget("gateway:rule_stats:r1", "match_count");
            return count != null && Long.parseLong(count) >= 2;
        }, "stats of both matches");
        within(1_000, () -> redis.commands().ttl("gateway:rule_stats:r1") > 0, "stats expire, as the Rust gateway's");

        redis.delete(BlockingRules.GLOBAL);
        within(1_000, () -> status(h, Map.of()) == 200, "a deleted rule");
        redis.setWithTtl(BlockingRules.GLOBAL, "[" + rule("r2", "IP_BLOCKING", 10, "{\"ips\":[\"203.0.113.0/24\"]}", "")
                + "]", 1);
        within(1_000, () -> status(h, Map.of()) == 403, "a rule with a TTL");
        within(3_000, () -> status(h, Map.of()) == 200, "the rule expired in Redis");

        redis.set(BlockingRules.ENDPOINT_PREFIX + "ep-1", "[" + rule("r3", "USER_AGENT_BLOCKING", 1,
                "{\"patterns\":[\"curl\"]}", "") + "]");
        Thread.sleep(500);
        assertEquals(200, status(h, Map.of("user-agent", "curl/8.5.0")), "an endpoint's rule only for that endpoint");
    }

    @Test
    void countryAndAsnRulesFromGeoIpAndEndpointScopes() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("geo");
        java.nio.file.Path script = dir.resolve("w.pl");
        try (var in = BlockingFilterTest.class.getResourceAsStream("/geoip/write-test-dbs.pl")) {
            java.nio.file.Files.copy(in, script);
        }
        Process p = new ProcessBuilder("perl", script.toString(), dir.resolve("c.mmdb").toString(),
                dir.resolve("a.mmdb").toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        Filter clientInfo = make(new ClientInfoFilterFactory(), "{\"geoip_db\":\"" + dir.resolve("c.mmdb")
                + "\",\"asn_db\":\"" + dir.resolve("a.mmdb") + "\"}", env());
        Filter blocking = make(new BlockingFilterFactory(), "{\"rules\":[" + rule("fr", "COUNTRY_BLOCKING", 1,
                "{\"countries\":[\"fr\"]}", "") + "," + rule("as", "ASN_BLOCKING", 1, "{\"asns\":[\"AS64500\"]}", "")
                + "," + rule("ep", "IP_BLOCKING", 1, "{\"ips\":[\"192.0.2.1\"],\"endpoints\":[\"ep-7\"]}", "") + "]}",
                env());
        for (String[] c : new String[][] {{"198.51.100.7", "403", "Country FR is blocked"},
                {"203.0.113.5", "403", "AS64500 is blocked"}, {"8.8.8.8", "200", null}}) {
            ChainHarness h = ChainHarness.create().peer(c[0]).filter("client-info", clientInfo)
                    .filter("blocking", blocking).filter("routing", e -> FilterResult.CONTINUE)
                    .upstream(Upstreams.unary("{\"choices\":[]}"));
            closing.add(h);
            ChainHarness.Outcome o = h.send(BODY);
            assertEquals(Integer.parseInt(c[1]), o.status(), c[0]);
            if (c[2] != null) {
                assertEquals(c[2], o.error().message());
            }
        }
        for (String endpoint : List.of("ep-7", "ep-8")) {
            ChainHarness h = ChainHarness.create().peer("192.0.2.1").filter("client-info", clientInfo)
                    .filter("resolved", e -> {
                        e.put(dev.budgateway.plugins.spi.Keys.RESOLVED_MODEL, endpoint);
                        return FilterResult.CONTINUE;
                    }).filter("blocking", blocking).filter("routing", e -> FilterResult.CONTINUE)
                    .upstream(Upstreams.unary("{\"choices\":[]}"));
            closing.add(h);
            assertEquals(endpoint.equals("ep-7") ? 403 : 200, h.send(BODY).status(), endpoint);
        }
    }

    @Test
    void withRedisAwayTheRulesHeldKeepApplyingAndRatesCountLocally() throws Exception {
        RedisServer redis = RedisServer.start();
        closing.add(redis);
        RedisControlPlane mirror = mirror(redis);
        Filter blocking = make(new BlockingFilterFactory(), "{\"rules\":[" + rule("rate", "RATE_BASED_BLOCKING", 1,
                "{\"threshold\":2,\"window_seconds\":60}", "") + "]}", env().with(ControlPlane.SERVICE, mirror));
        redis.set(BlockingRules.GLOBAL, "[" + rule("r1", "IP_BLOCKING", 10, "{\"ips\":[\"203.0.113.5\"]}", "") + "]");
        Mirrors.start(mirror);
        ChainHarness blockedClient = chain("203.0.113.5", blocking);
        ChainHarness other = chain("203.0.113.6", blocking);
        assertEquals(403, status(blockedClient, Map.of()));
        redis.down();
        within(2_000, () -> mirror.state() != dev.budgateway.plugins.spi.DependencyState.OK, "Redis away");
        assertEquals(403, status(blockedClient, Map.of()), "the rules held keep applying");
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(status(other, Map.of()));
        }
        assertEquals(List.of(200, 200, 403), statuses, "the rate rule counts in this replica meanwhile");
    }

    @Test
    void aRateRuleHoldsAcrossTwoGatewaysSharingRedis() throws Exception {
        RedisServer redis = RedisServer.start();
        closing.add(redis);
        List<ChainHarness> gateways = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RedisControlPlane mirror = mirror(redis);
            Filter blocking = make(new BlockingFilterFactory(), "{\"rules\":[" + rule("rate", "RATE_BASED_BLOCKING", 1,
                    "{\"threshold\":5,\"window_seconds\":60}", "") + "]}", env().with(ControlPlane.SERVICE, mirror));
            Mirrors.start(mirror);
            gateways.add(chain("203.0.113.77", blocking));
        }
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            statuses.add(status(gateways.get(i % 2), Map.of()));
        }
        assertEquals(List.of(200, 200, 200, 200, 200, 403, 403, 403), statuses, "5 per window, whichever replica");
        ChainHarness.Outcome over = gateways.get(0).send(BODY);
        assertEquals("Rate limit exceeded for IP 203.0.113.77", over.error().message());
        assertNull(chain("203.0.113.78", make(new BlockingFilterFactory(), "{\"rules\":[" + rule("rate",
                "RATE_BASED_BLOCKING", 1, "{\"threshold\":5,\"window_seconds\":60}", "") + "]}", env())).send(BODY)
                .error(), "without Redis the count is local, and another address has its own");
    }
}
