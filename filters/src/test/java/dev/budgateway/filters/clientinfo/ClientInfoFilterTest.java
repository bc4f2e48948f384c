package dev.budgateway.filters.clientinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client-info filter through the chain harness: trusted proxies, GeoIP on MaxMind-format databases (our own,
 * written by the test set-up, and MaxMind's published test databases when ../shared/geoip has them), agents.
 */
class ClientInfoFilterTest {

    static final String BODY = "{\"model\":\"m\",\"messages\":[]}";
    static Path dir;
    static Path city;
    static Path asn;
    final TestFilterEnv env = new TestFilterEnv();

    @BeforeAll
    static void writeDatabases() throws Exception {
        dir = Files.createTempDirectory("geoip");
        city = dir.resolve("city.mmdb");
        asn = dir.resolve("asn.mmdb");
        write(city, asn, "Berlin");
    }

    /** Writes our test databases with the MaxMind DB writer (Debian's libmaxmind-db-writer-perl). */
    static void write(Path cityOut, Path asnOut, String cityName) throws Exception {
        Path script = dir.resolve("write-test-dbs.pl");
        try (var in = ClientInfoFilterTest.class.getResourceAsStream("/geoip/write-test-dbs.pl")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder("perl", script.toString(), cityOut.toString(), asnOut.toString(), cityName)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("writing the test GeoIP databases failed (is libmaxmind-db-writer-perl "
                    + "installed? bin/test installs it): " + out);
        }
    }

    @AfterEach
    void close() {
        env.close();
    }

    Filter filter(String settings) throws Exception {
        return new ClientInfoFilterFactory().create(new FilterSpec("filters[0]", "client-info", "client-info", true,
                "reject", FilterConfig.DEFAULT_TIMEOUT_MS, (ObjectNode) Json.parse(settings.getBytes(
                        StandardCharsets.UTF_8))), env);
    }

    static ChainHarness chain(Filter f, String peer) {
        return ChainHarness.create().peer(peer).filter("client-info", f).filter("routing", e -> FilterResult.CONTINUE)
                .upstream(Upstreams.unary("{\"choices\":[]}"));
    }

    ClientInfo info(Filter f, String peer, Map<String, String> headers) throws Exception {
        try (ChainHarness h = chain(f, peer)) {
            return h.send(BODY, headers).get(Keys.CLIENT_INFO);
        }
    }

    @Test
    void forwardingHeadersAreBelievedOnlyFromTrustedProxies() throws Exception {
        Filter f = filter("{\"trusted_proxies\":[\"10.0.0.0/8\",\"fd00::/8\"],\"forwarded_headers\":"
                + "[\"x-forwarded-for\",\"x-real-ip\"]}");
        Map<String, String> spoofed = Map.of("x-forwarded-for", "1.2.3.4");
        assertEquals("203.0.113.9", info(f, "203.0.113.9", spoofed).ip(), "an untrusted peer cannot name its address");
        assertEquals("1.2.3.4", info(f, "10.1.2.3", spoofed).ip());
        assertEquals("198.51.100.7", info(f, "10.1.2.3", Map.of("x-forwarded-for",
                "6.6.6.6, 198.51.100.7, 10.9.9.9")).ip(), "the right-most hop that is not a trusted proxy");
        assertEquals("198.51.100.7", info(f, "fd00::1", Map.of("x-forwarded-for", "198.51.100.7")).ip(), "IPv6 proxy");
        assertEquals("2001:db8:0:0:0:0:0:1", info(f, "10.1.2.3", Map.of("x-forwarded-for", "[2001:db8::1]:443"))
                .ip());
        assertEquals("10.1.2.3", info(f, "10.1.2.3", Map.of("x-forwarded-for", "not-an-ip")).ip(),
                "an unreadable chain leaves the proxy's own address");
        assertEquals("198.51.100.8", info(f, "10.1.2.3", Map.of("x-real-ip", "198.51.100.8")).ip());
        assertEquals("6.6.6.6, 198.51.100.7", info(f, "10.1.2.3", Map.of("x-forwarded-for",
                "6.6.6.6, 198.51.100.7")).proxyChain(), "the raw chain is kept for analytics");
        assertThrows(ConfigException.class, () -> filter("{\"trusted_proxies\":[\"10.0.0.0/33\"]}"));
        assertThrows(ConfigException.class, () -> filter("{\"forwarded_headers\":[\"x-client-ip\"]}"));
    }

    @Test
    void geoAndAsnFromTheDatabasesSkippingPrivateAddresses() throws Exception {
        Filter f = filter("{\"geoip_db\":\"" + city + "\",\"asn_db\":\"" + asn + "\"}");
        ClientInfo.Geo berlin = info(f, "203.0.113.9", Map.of()).geo();
        assertEquals("DE", berlin.countryCode());
        assertEquals("Germany", berlin.countryName());
        assertEquals("BE", berlin.region());
        assertEquals("Berlin", berlin.city());
        assertEquals(52.52, berlin.latitude());
        assertEquals("Europe/Berlin", berlin.timezone());
        assertEquals(64500L, berlin.asn());
        assertEquals("Example Net", berlin.organization());
        assertEquals("JP", info(f, "2001:db8::5", Map.of()).geo().countryCode());
        assertNull(info(f, "10.0.0.1", Map.of()).geo(), "private addresses are not looked up");
        assertNull(info(f, "127.0.0.1", Map.of()).geo());
        assertNull(info(f, "192.0.2.1", Map.of()).geo(), "an address no database knows");
    }

    @Test
    void maxmindsPublishedTestDatabasesWhenPresent() throws Exception {
        Path shared = Path.of("..", "..", "shared", "geoip");
        if (!Files.isDirectory(shared)) {
            shared = Path.of("..", "shared", "geoip");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(shared.resolve("GeoIP2-City-Test.mmdb")),
                "MaxMind's test databases are not on this machine");
        Filter f = filter("{\"geoip_db\":\"" + shared.resolve("GeoIP2-City-Test.mmdb") + "\",\"asn_db\":\""
                + shared.resolve("GeoLite2-ASN-Test.mmdb") + "\"}");
        ClientInfo.Geo london = info(f, "81.2.69.142", Map.of()).geo();
        assertEquals("GB", london.countryCode());
        assertEquals("London", london.city());
        assertEquals("ENG", london.region());
        ClientInfo.Geo linkoping = info(f, "89.160.20.112", Map.of()).geo();
        assertEquals("SE", linkoping.countryCode());
        assertEquals(29518L, linkoping.asn());
        assertEquals("Bredband2 AB", linkoping.organization());
        Filter country = filter("{\"geoip_db\":\"" + shared.resolve("GeoLite2-Country-Test.mmdb") + "\"}");
        assertEquals("US", info(country, "216.160.83.56", Map.of()).geo().countryCode());
    }

    @Test
    void aDatabaseSwappedOnDiskIsUsedAndABrokenOneKeepsTheOld() throws Exception {
        Path live = dir.resolve("live-city.mmdb");
        Files.copy(city, live, StandardCopyOption.REPLACE_EXISTING);
        Filter f = filter("{\"geoip_db\":\"" + live + "\",\"reload_interval_s\":1}");
        try (ChainHarness h = chain(f, "203.0.113.9")) {
            assertEquals("Berlin", h.send(BODY).get(Keys.CLIENT_INFO).geo().city());
            Path next = dir.resolve("next-city.mmdb");
            write(next, dir.resolve("next-asn.mmdb"), "Potsdam");
            // As geoipupdate does it: a new file moved over the old one.
            Files.move(next, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.currentTimeMillis() + 5_000;
            String seen = "Berlin";
            while (!seen.equals("Potsdam") && System.currentTimeMillis() < deadline) {
                ChainHarness.Outcome o = h.send(BODY);
                assertEquals(200, o.status(), "no request fails during the swap");
                seen = o.get(Keys.CLIENT_INFO).geo().city();
                Thread.sleep(20);
            }
            assertEquals("Potsdam", seen);

            Path garbage = dir.resolve("garbage.mmdb");
            Files.writeString(garbage, "not a database");
            Files.move(garbage, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(2_500);
            assertEquals("Potsdam", h.send(BODY).get(Keys.CLIENT_INFO).geo().city(), "the old database stays");
        }
        ConfigException missing = assertThrows(ConfigException.class, () -> filter("{\"geoip_db\":\"" + dir.resolve(
                "missing.mmdb") + "\"}"));
        assertTrue(missing.getMessage().contains("geoip_db"), missing.getMessage());
    }

    @Test
    void agentsOfSdksBrowsersAndBots() throws Exception {
        Filter f = filter("{}");
        Map<String, List<String>> agents = Map.of(
                "OpenAI/Python 1.54.3", List.of("openai-python", "1.54.3", "desktop", "false"),
                "OpenAI/JS 4.73.0", List.of("openai-node", "4.73.0", "desktop", "false"),
                "OpenAI/Java 4.101.0", List.of("openai-java", "4.101.0", "desktop", "false"),
                "Anthropic/Python 0.40.0", List.of("anthropic-python", "0.40.0", "desktop", "false"),
                "claude-cli/1.0.51 (external, cli)", List.of("claude-code", "1.0.51", "desktop", "false"),
                "ai/5.0.60 ai-sdk/provider-utils/3.0.10 runtime/node.js/22", List.of("vercel-ai-sdk", "5.0.60",
                        "desktop", "false"),
                "curl/8.5.0", List.of("curl", "8.5.0", "desktop", "false"),
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", List.of("", "", "bot",
                        "true"));
        for (Map.Entry<String, List<String>> e : agents.entrySet()) {
            ClientInfo.Agent a = info(f, "203.0.113.9", Map.of("user-agent", e.getKey())).agent();
            List<String> want = e.getValue();
            assertEquals(want.get(0).isEmpty() ? null : want.get(0), a.sdk(), e.getKey());
            assertEquals(want.get(1).isEmpty() ? null : want.get(1), a.sdkVersion(), e.getKey());
            assertEquals(want.get(2), a.deviceType(), e.getKey());
            assertEquals(Boolean.parseBoolean(want.get(3)), a.bot(), e.getKey());
        }
        ClientInfo.Agent chrome = info(f, "203.0.113.9", Map.of("user-agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X "
                + "10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")).agent();
        assertEquals("Chrome", chrome.browserName());
        assertEquals("131.0", chrome.browserVersion());
        assertEquals("Mac OS X", chrome.osName());
        assertFalse(chrome.bot());
        ClientInfo.Agent iphone = info(f, "203.0.113.9", Map.of("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 "
                + "like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"))
                .agent();
        assertEquals("mobile", iphone.deviceType());
        assertEquals("iOS", iphone.osName());
        assertNull(info(f, "203.0.113.9", Map.of()).agent(), "no agent, nothing parsed");
    }
}
