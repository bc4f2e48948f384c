package dev.budgateway.filters.blocking;

import dev.budgateway.plugins.spi.ClientInfo;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An immutable snapshot of the rules that apply to every request (unscoped), indexed so that the cost of a
 * request does not grow with the rule set: addresses in an {@link IpRuleIndex}, countries and AS numbers in
 * hash maps (each to its best rule), user-agent verdicts cached per agent. Rules are numbered in priority order
 * (highest first, file order between equals); the lowest number that matches wins. Scoped rules and rate rules
 * are few and checked one by one.
 */
final class RuleSet {

    static final RuleSet EMPTY = new RuleSet(List.of());
    private static final int AGENT_CACHE = 10_000;

    final List<BlockingRule> rules;
    private final IpRuleIndex ips;
    private final Map<String, Integer> countries = new HashMap<>();
    private final Map<Long, Integer> asns = new HashMap<>();
    private final List<Integer> agentRules = new ArrayList<>();
    /** Scoped rules and rate rules, in priority order: checked one by one. */
    final List<Integer> oneByOne = new ArrayList<>();
    private final Map<String, Integer> agentVerdicts = new ConcurrentHashMap<>();
    /** When the next rule expires: the snapshot is rebuilt then, so an expired best rule does not hide others. */
    final Instant nextExpiry;

    RuleSet(List<BlockingRule> unsorted) {
        List<BlockingRule> sorted = new ArrayList<>(unsorted);
        sorted.sort(Comparator.comparingInt(BlockingRule::priority).reversed());
        this.rules = List.copyOf(sorted);
        IpRuleIndex.Builder ipBuilder = new IpRuleIndex.Builder();
        Instant expiry = null;
        for (int i = 0; i < rules.size(); i++) {
            BlockingRule r = rules.get(i);
            if (r.expiresAt() != null && (expiry == null || r.expiresAt().isBefore(expiry))) {
                expiry = r.expiresAt();
            }
            if (r.scoped() || r.type() == BlockingRule.Type.RATE_BASED_BLOCKING) {
                oneByOne.add(i);
                continue;
            }
            int rule = i;
            switch (r.type()) {
                case IP_BLOCKING -> r.ips().forEach(ip -> ipBuilder.add(ip, rule));
                case COUNTRY_BLOCKING -> r.countries().forEach(c -> countries.putIfAbsent(c, rule));
                case ASN_BLOCKING -> r.asns().forEach(a -> asns.putIfAbsent(a, rule));
                case USER_AGENT_BLOCKING -> agentRules.add(rule);
                default -> throw new IllegalStateException(r.type().name());
            }
        }
        this.ips = ipBuilder.build();
        this.nextExpiry = expiry;
    }

    /** The best unscoped static rule matching the request, or -1. */
    int match(InetAddress ip, ClientInfo info) {
        int best = Integer.MAX_VALUE;
        if (ip != null) {
            int r = ips.lookup(ip);
            if (r >= 0) {
                best = r;
            }
        }
        ClientInfo.Geo geo = info == null ? null : info.geo();
        if (geo != null) {
            if (geo.countryCode() != null) {
                best = Math.min(best, countries.getOrDefault(geo.countryCode(), Integer.MAX_VALUE));
            }
            if (geo.asn() != null) {
                best = Math.min(best, asns.getOrDefault(geo.asn(), Integer.MAX_VALUE));
            }
        }
        String agent = info == null || info.agent() == null ? null : info.agent().raw();
        if (agent != null && !agentRules.isEmpty() && agentRules.get(0) < best) {
            best = Math.min(best, agentVerdict(agent));
        }
        return best == Integer.MAX_VALUE ? -1 : best;
    }

    private int agentVerdict(String agent) {
        Integer known = agentVerdicts.get(agent);
        if (known != null) {
            return known;
        }
        int verdict = Integer.MAX_VALUE;
        for (int rule : agentRules) {
            if (matchesAgent(rules.get(rule), agent)) {
                verdict = rule;
                break;
            }
        }
        if (agentVerdicts.size() >= AGENT_CACHE) {
            agentVerdicts.clear();
        }
        agentVerdicts.put(agent, verdict);
        return verdict;
    }

    static boolean matchesAgent(BlockingRule r, String agent) {
        for (Pattern p : r.agents()) {
            if (p.matcher(agent).find()) {
                return true;
            }
        }
        return false;
    }
}
