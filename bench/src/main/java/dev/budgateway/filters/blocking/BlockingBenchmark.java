package dev.budgateway.filters.blocking;

import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Json;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A request against the blocking rule set: {@code ipRules} IP rules (each a /32 or a /24), 100 country rules and
 * {@code agentRules} user-agent patterns, for an address and agent that match nothing (the common case: every
 * rule is looked at) and for one that matches.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class BlockingBenchmark {

    @Param({"10", "100000"})
    public int ipRules;

    @Param({"1000"})
    public int agentRules;

    private RuleSet rules;
    private InetAddress clean;
    private InetAddress listed;
    private ClientInfo cleanInfo;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        List<BlockingRule> all = new ArrayList<>();
        for (int i = 0; i < ipRules; i++) {
            String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + (i % 2 == 0 ? "/32" : "");
            all.add(rule("ip" + i, "IP_BLOCKING", i % 100, "{\"ips\":[\"" + ip + "\"]}"));
        }
        for (int i = 0; i < 100; i++) {
            all.add(rule("c" + i, "COUNTRY_BLOCKING", 5, "{\"countries\":[\"Q" + (char) ('A' + i % 26) + "\"]}"));
        }
        for (int i = 0; i < agentRules; i++) {
            all.add(rule("ua" + i, "USER_AGENT_BLOCKING", 1, "{\"patterns\":[\"" + (i % 3 == 0 ? "/evil-" + i + "/"
                    : i % 3 == 1 ? "*scanner-" + i + "*" : "badbot-" + i) + "\"]}"));
        }
        rules = new RuleSet(all);
        clean = InetAddress.getByName("203.0.113.9");
        listed = InetAddress.getByName("10.0.1.2");
        cleanInfo = new ClientInfo(clean, null, new ClientInfo.Geo("DE", "Germany", null, null, null, null,
                null, null, null), new ClientInfo.Agent("OpenAI/Python 1.54.3", "desktop", null, null, null, null, false,
                "openai-python", "1.54.3"));
    }

    private static BlockingRule rule(String id, String type, int priority, String config) throws Exception {
        return BlockingRule.parse(Json.MAPPER.readTree("{\"id\":\"" + id + "\",\"rule_type\":\"" + type
                + "\",\"priority\":" + priority + ",\"status\":\"ACTIVE\",\"config\":" + config + "}"), null);
    }

    @Benchmark
    public int noRuleMatches() {
        return rules.match(clean, cleanInfo);
    }

    @Benchmark
    public int anIpRuleMatches() {
        return rules.match(listed, cleanInfo);
    }
}
