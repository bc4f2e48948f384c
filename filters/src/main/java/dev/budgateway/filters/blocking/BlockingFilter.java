package dev.budgateway.filters.blocking;

import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the blocking rules: the highest-priority live rule that matches answers 403, with the Rust gateway's
 * {@code x-block-reason} and {@code x-blocked-by-rule} headers; a rule whose action is {@code log} (or
 * {@code monitor}) only records its match. Static rules are answered from the snapshot's indexes; rate rules count
 * requests per client address and window in Redis, so a threshold holds across replicas.
 */
final class BlockingFilter implements Filter {

    private static final Logger logger = LoggerFactory.getLogger(BlockingFilter.class);
    private static final long STATS_TTL_S = 24 * 3600;

    private final BlockingRules rules;
    private final Clock clock;
    private final ControlPlane redis;
    private final boolean countLocallyWithoutRedis;
    private final Map<String, AtomicLong> localCounts = new ConcurrentHashMap<>();
    private final FilterMetrics.Counter blocked;
    private final FilterMetrics.Counter logged;
    private final FilterMetrics.Counter redisErrors;

    BlockingFilter(BlockingRules rules, Clock clock, ControlPlane redis, boolean countLocallyWithoutRedis,
            FilterMetrics metrics) {
        this.rules = rules;
        this.clock = clock;
        this.redis = redis;
        this.countLocallyWithoutRedis = countLocallyWithoutRedis;
        this.blocked = metrics.counter("blocking.blocked", "Requests refused by a blocking rule");
        this.logged = metrics.counter("blocking.logged", "Matches of blocking rules whose action is log");
        this.redisErrors = metrics.counter("blocking.redis_errors",
                "Rate-rule counts that could not reach Redis (counted in this replica instead)");
    }

    /** What a request is matched on. */
    private record Subject(InetAddress ip, ClientInfo info, String endpointId, String model, String project) {}

    @Override
    public FilterResult onRequest(Exchange exchange) {
        Instant now = clock.instant();
        BlockingRules.Snapshot snapshot = rules.current(now);
        ClientInfo info = exchange.get(Keys.CLIENT_INFO);
        InetAddress ip = info == null ? null : info.address();
        if (ip == null) {
            InetSocketAddress peer = exchange.get(Keys.PEER_ADDRESS);
            ip = peer == null ? null : peer.getAddress();
        }
        Identity identity = exchange.get(Keys.IDENTITY);
        Subject s = new Subject(ip, info, exchange.get(Keys.RESOLVED_MODEL), exchange.get(Keys.MODEL),
                identity == null ? null : identity.projectId());

        List<BlockingRule> rate = new ArrayList<>(0);
        BlockingRule block = firstMatch(snapshot.block(), s, now, rate);
        if (block == null && s.endpointId != null) {
            RuleSet endpoint = snapshot.blockByEndpoint().get(s.endpointId);
            if (endpoint != null) {
                block = firstMatch(endpoint, s, now, rate);
            }
        }
        if (block != null) {
            return refuse(block, s);
        }
        recordLogMatches(snapshot, s, now);
        if (rate.isEmpty() || s.ip == null) {
            return FilterResult.CONTINUE;
        }
        return FilterResult.await(countAll(rate, s.ip, now), (ex, over) -> over == null ? FilterResult.CONTINUE
                : refuse(over, s));
    }

    /** The best static match, else the best one-by-one rule; rate rules that could apply are collected. */
    private static BlockingRule firstMatch(RuleSet set, Subject s, Instant now, List<BlockingRule> rate) {
        int best = set.match(s.ip, s.info);
        if (best >= 0 && !set.rules.get(best).liveAt(now)) {
            best = -1; // expired since the snapshot was built; the rebuild at its expiry restores the others
        }
        for (int i : set.oneByOne) {
            if (best >= 0 && i > best) {
                break;
            }
            BlockingRule r = set.rules.get(i);
            if (!r.liveAt(now) || !inScope(r, s)) {
                continue;
            }
            if (r.type() == BlockingRule.Type.RATE_BASED_BLOCKING) {
                rate.add(r);
            } else if (matches(r, s)) {
                best = i;
                break;
            }
        }
        return best >= 0 ? set.rules.get(best) : null;
    }

    private static boolean inScope(BlockingRule r, Subject s) {
        return (r.endpoints().isEmpty() || (s.endpointId != null && r.endpoints().contains(s.endpointId)))
                && (r.models().isEmpty() || (s.model != null && r.models().contains(s.model)))
                && (r.projects().isEmpty() || (s.project != null && r.projects().contains(s.project)));
    }

    /** Whether a scoped static rule matches (unscoped ones are answered by the indexes). */
    private static boolean matches(BlockingRule r, Subject s) {
        ClientInfo.Geo geo = s.info == null ? null : s.info.geo();
        return switch (r.type()) {
            case IP_BLOCKING -> s.ip != null && r.ipSet().contains(s.ip);
            case COUNTRY_BLOCKING -> geo != null && geo.countryCode() != null && r.countries().contains(
                    geo.countryCode());
            case ASN_BLOCKING -> geo != null && geo.asn() != null && r.asns().contains(geo.asn());
            case USER_AGENT_BLOCKING -> s.info != null && s.info.agent() != null
                    && RuleSet.matchesAgent(r, s.info.agent().raw());
            case RATE_BASED_BLOCKING -> false;
        };
    }

    private void recordLogMatches(BlockingRules.Snapshot snapshot, Subject s, Instant now) {
        if (snapshot.log().rules.isEmpty()) {
            return;
        }
        BlockingRule match = firstMatch(snapshot.log(), s, now, new ArrayList<>(0));
        if (match != null) {
            logged.increment();
            logger.info("Blocking rule {} ({}) matched a request from {} (action log: not blocked)", match.name(),
                    match.id(), s.ip == null ? "an unknown address" : s.ip.getHostAddress());
            countStats(match);
        }
    }

    private FilterResult refuse(BlockingRule rule, Subject s) {
        blocked.increment();
        countStats(rule);
        String reason = rules.reason(rule.name());
        if (reason == null) {
            reason = defaultReason(rule, s);
        }
        return FilterResult.reject(new GatewayError(403, "forbidden", "blocked", reason)
                .withHeader("x-block-reason", reason).withHeader("x-blocked-by-rule", rule.id()));
    }

    private static String defaultReason(BlockingRule rule, Subject s) {
        ClientInfo.Geo geo = s.info == null ? null : s.info.geo();
        String ip = s.ip == null ? "unknown" : s.ip.getHostAddress();
        return switch (rule.type()) {
            case IP_BLOCKING -> "IP " + ip + " is blocked";
            case COUNTRY_BLOCKING -> "Country " + (geo == null ? "unknown" : geo.countryCode()) + " is blocked";
            case ASN_BLOCKING -> "AS" + (geo == null ? "unknown" : geo.asn()) + " is blocked";
            case USER_AGENT_BLOCKING -> "User agent is blocked";
            case RATE_BASED_BLOCKING -> "Rate limit exceeded for IP " + ip;
        };
    }

    /** As the Rust gateway: {@code HINCRBY gateway:rule_stats:<id> match_count 1}, the last match time, 24 h. */
    private void countStats(BlockingRule rule) {
        if (redis == null) {
            return;
        }
        redis.commands().ifPresent(c -> {
            String key = "gateway:rule_stats:" + rule.id();
            c.hincrby(key, "match_count", 1);
            c.hset(key, "last_matched", clock.instant().toString());
            c.expire(key, STATS_TTL_S);
        });
    }

    /** The first rate rule over its threshold, or {@code null}. */
    private CompletionStage<BlockingRule> countAll(List<BlockingRule> rate, InetAddress ip, Instant now) {
        CompletionStage<BlockingRule> chain = CompletableFuture.completedFuture(null);
        for (BlockingRule r : rate) {
            chain = chain.thenCompose(over -> over != null ? CompletableFuture.completedFuture(over)
                    : count(r, ip, now).thenApply(n -> n > r.threshold() ? r : null));
        }
        return chain;
    }

    /** This window's count of requests from {@code ip} for rule {@code r}, this one included. */
    private CompletionStage<Long> count(BlockingRule r, InetAddress ip, Instant now) {
        long window = now.getEpochSecond() / r.windowSeconds();
        String key = "gateway:rate_block:" + r.id() + ":" + ip.getHostAddress() + ":" + window;
        var commands = redis == null ? null : redis.commands().orElse(null);
        if (commands == null) {
            return CompletableFuture.completedFuture(countLocally(key, window, r));
        }
        return commands.incr(key).thenCompose(n -> n == 1
                ? commands.expire(key, r.windowSeconds() + 1).thenApply(ok -> n) : CompletableFuture.completedFuture(n))
                .exceptionally(failure -> {
                    redisErrors.increment();
                    return countLocally(key, window, r);
                });
    }

    private long countLocally(String key, long window, BlockingRule r) {
        if (!countLocallyWithoutRedis) {
            return 0; // on_redis_error = "allow"
        }
        if (localCounts.size() > 100_000) {
            localCounts.clear();
        }
        if (localCounts.size() > 1_000) {
            localCounts.keySet().removeIf(k -> !k.endsWith(":" + window));
        }
        return localCounts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
}
