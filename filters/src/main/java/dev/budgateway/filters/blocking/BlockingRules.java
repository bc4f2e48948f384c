package dev.budgateway.filters.blocking;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.RecordListener;
import dev.budgateway.plugins.spi.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rules in force: the file's, and the control plane's {@code blocking_rules:global} and
 * {@code blocking_rules:endpoint:<id>} (kept current by the mirror), with the reasons of
 * {@code blocking_rule_reason:<name>}. Every change builds a new {@link Snapshot}; a request reads the current
 * one without locking.
 */
final class BlockingRules {

    static final String GLOBAL = "blocking_rules:global";
    static final String ENDPOINT_PREFIX = "blocking_rules:endpoint:";
    static final String REASON_PREFIX = "blocking_rule_reason:";

    /** Blocking and log-only rules apart, so a log rule never hides a blocking one. */
    record Snapshot(RuleSet block, RuleSet log, Map<String, RuleSet> blockByEndpoint, Instant nextExpiry) {}

    private final List<BlockingRule> fileRules;
    private volatile List<BlockingRule> globalRules = List.of();
    private final Map<String, List<BlockingRule>> endpointRules = new ConcurrentHashMap<>();
    private final Map<String, String> reasons = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot;

    private final Clock clock;

    BlockingRules(List<BlockingRule> fileRules, Clock clock) {
        this.fileRules = List.copyOf(fileRules);
        this.clock = clock;
        rebuild();
    }

    void watch(ControlPlane controlPlane) {
        controlPlane.watch(GLOBAL, new RecordListener() {
            @Override
            public void put(String key, String value) {
                globalRules = parseList(value, null);
                rebuild();
            }

            @Override
            public void remove(String key) {
                globalRules = List.of();
                rebuild();
            }
        });
        controlPlane.watch(ENDPOINT_PREFIX + "*", new RecordListener() {
            @Override
            public void put(String key, String value) {
                String endpoint = key.substring(ENDPOINT_PREFIX.length());
                endpointRules.put(endpoint, parseList(value, endpoint));
                rebuild();
            }

            @Override
            public void remove(String key) {
                endpointRules.remove(key.substring(ENDPOINT_PREFIX.length()));
                rebuild();
            }
        });
        controlPlane.watch(REASON_PREFIX + "*", new RecordListener() {
            @Override
            public void put(String key, String value) {
                reasons.put(key.substring(REASON_PREFIX.length()), value);
            }

            @Override
            public void remove(String key) {
                reasons.remove(key.substring(REASON_PREFIX.length()));
            }
        });
    }

    /** A JSON array of rules; one bad rule makes the whole record rejected (the mirror logs its key). */
    static List<BlockingRule> parseList(String value, String scopeEndpoint) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("expected a JSON array of rules");
        }
        List<BlockingRule> out = new ArrayList<>();
        for (JsonNode r : root) {
            out.add(BlockingRule.parse(r, scopeEndpoint));
        }
        return List.copyOf(out);
    }

    String reason(String ruleName) {
        return reasons.get(ruleName);
    }

    /** The rules as of {@code now}: rebuilt when a rule has expired since the last build. */
    Snapshot current(Instant now) {
        Snapshot s = snapshot;
        if (s.nextExpiry() != null && !now.isBefore(s.nextExpiry())) {
            rebuild(now);
            s = snapshot;
        }
        return s;
    }

    private void rebuild() {
        rebuild(clock.instant());
    }

    private synchronized void rebuild(Instant now) {
        List<BlockingRule> block = new ArrayList<>();
        List<BlockingRule> log = new ArrayList<>();
        for (List<BlockingRule> source : List.of(fileRules, globalRules)) {
            for (BlockingRule r : source) {
                if (r.liveAt(now)) {
                    (r.logOnly() ? log : block).add(r);
                }
            }
        }
        Map<String, RuleSet> byEndpoint = new HashMap<>();
        endpointRules.forEach((endpoint, list) -> {
            List<BlockingRule> live = list.stream().filter(r -> r.liveAt(now) && !r.logOnly()).toList();
            if (!live.isEmpty()) {
                byEndpoint.put(endpoint, new RuleSet(live));
            }
        });
        RuleSet b = new RuleSet(block);
        RuleSet l = new RuleSet(log);
        Instant next = earliest(b.nextExpiry, l.nextExpiry);
        for (RuleSet r : byEndpoint.values()) {
            next = earliest(next, r.nextExpiry);
        }
        snapshot = new Snapshot(b, l, Map.copyOf(byEndpoint), next);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }
}
