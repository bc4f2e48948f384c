package dev.budgateway.filters.usage;

import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.LogThrottle;
import dev.budgateway.filters.controlplane.ModelPolicies;
import dev.budgateway.filters.controlplane.RecordListener;
import dev.budgateway.filters.controlplane.RedisScript;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkEmitter;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Pricing;
import dev.budgateway.plugins.spi.ResponseListener;
import dev.budgateway.plugins.spi.Usage;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's usage quotas ({@code usage_limit:<user_id>}), honoured as the Rust gateway does (admins pass,
 * a user without a record passes, {@code allowed = false} or a reached quota answers 402 {@code insufficient_quota})
 * and made exact across replicas: a request of a user with a quota reserves an estimate of its tokens and cost in
 * Redis, atomically with the check, and settles the real usage into the record's used fields at its end (where
 * budapp reads them), releasing the rest. Users without a quota cost no round trip: this replica keeps a copy of
 * the records. The file's quotas ({@link Quota}: per key, user or project, per day or month) are reserved and
 * settled the same way, in counters of their own.
 */
final class UsageLimitsFilter implements Filter {

    private static final Logger logger = LoggerFactory.getLogger(UsageLimitsFilter.class);
    private static final RedisScript SCRIPT = RedisScript.load(UsageLimitsFilter.class, "usage_limits.lua");
    private static final RedisScript QUOTAS = RedisScript.load(UsageLimitsFilter.class, "quotas.lua");
    private static final String RESERVED_PREFIX = "budgateway:usage_reserved:";
    private static final String QUOTA_PREFIX = "budgateway:quota:";
    private static final long LOG_EVERY_MS = 10_000;

    private final ControlPlane redis;
    private final UsageLimitsConfig config;
    private final ModelPolicies<Pricing> publishedPrices;
    private final Map<String, Pricing> prices;
    private final Pricing defaultPrice;
    private final List<Quota> quotas;
    private final Clock clock;
    private final Map<String, UsageRecord> records = new ConcurrentHashMap<>();
    private final FilterMetrics.Counter refused;
    private final FilterMetrics.Counter withoutRedis;
    private final FilterMetrics.Counter costCharged;
    private final LogThrottle redisAwayLog;

    UsageLimitsFilter(ControlPlane redis, UsageLimitsConfig config, Map<String, Pricing> prices, Pricing defaultPrice,
            List<Quota> quotas, Clock clock, FilterMetrics metrics) {
        this.quotas = List.copyOf(quotas);
        this.redis = redis;
        this.config = config;
        this.prices = Map.copyOf(prices);
        this.defaultPrice = defaultPrice;
        this.clock = clock;
        this.redisAwayLog = new LogThrottle(clock, LOG_EVERY_MS);
        this.publishedPrices = new ModelPolicies<>("pricing", Pricing::parse).watch(redis);
        this.refused = metrics.counter("usage_limits.refused", "Requests refused with 402 by a usage quota");
        this.withoutRedis = metrics.counter("usage_limits.decided_without_redis",
                "Quota decisions and settlements taken without Redis (away or slower than redis_timeout_ms)");
        this.costCharged = metrics.counter("usage_limits.cost", "Cost charged to quotas, in the prices' currency");
        redis.watch(UsageRecord.PREFIX + "*", new Records());
        redis.watch(UsageRecord.CLEAR_PREFIX + "*", new ClearMarkers());
    }

    @Override
    public FilterResult onRequest(Exchange exchange) {
        if (!exchange.endpoint().isCapability()) {
            return FilterResult.CONTINUE;
        }
        Pricing price = priceOf(exchange);
        if (exchange.get(Keys.PRICE) == null) {
            exchange.put(Keys.PRICE, price); // what the request's records cost its usage at
        }
        Identity identity = exchange.get(Keys.IDENTITY);
        String user = identity == null ? null : identity.userId();
        UsageRecord record = user == null ? null : records.get(user);
        // Keys without a user are never checked (as the Rust gateway); a user without a record has no billing plan.
        boolean byRecord = user != null && (record != null || !redis.loaded()) && (record == null || !record.admin());
        if (byRecord && record != null && !record.allowed()) {
            return refuse(record.refusal());
        }
        List<QuotaKey> quotaKeys = quotaKeys(exchange);
        if (!byRecord && quotaKeys.isEmpty()) {
            return FilterResult.CONTINUE;
        }
        Estimate estimate = config.reserve() ? Estimate.of(exchange, config.defaultMaxTokens(), price) : Estimate.NONE;
        CompletionStage<Verdict> checked = byRecord ? reserve(user, estimate)
                : CompletableFuture.completedFuture(Verdict.NOT_RESERVED);
        CompletionStage<Verdict[]> both = checked.thenCompose(v -> v.refusal != null || quotaKeys.isEmpty()
                ? CompletableFuture.completedFuture(new Verdict[] {v, Verdict.NOT_RESERVED})
                : reserveQuotas(quotaKeys, estimate).thenApply(q -> new Verdict[] {v, q}));
        return FilterResult.await(both, (ex, verdicts) -> {
            Settle settle = new Settle(byRecord ? user : null, verdicts[0].reserved ? estimate : Estimate.NONE,
                    quotaKeys, verdicts[1].reserved ? estimate : Estimate.NONE, estimate, price);
            for (Verdict v : verdicts) {
                if (v.refusal != null) {
                    settle.release(); // what the other one reserved
                    return refuse(v.refusal);
                }
            }
            ex.addListener(settle);
            return FilterResult.CONTINUE;
        });
    }

    private record Verdict(String refusal, boolean reserved) {
        static final Verdict NOT_RESERVED = new Verdict(null, false);
    }

    /** One of the file's quotas for this request's subject and period. */
    private record QuotaKey(Quota quota, String key, long ttlMs) {}

    private List<QuotaKey> quotaKeys(Exchange exchange) {
        if (quotas.isEmpty()) {
            return List.of();
        }
        java.time.Instant now = clock.instant();
        List<QuotaKey> out = new java.util.ArrayList<>(quotas.size());
        for (Quota q : quotas) {
            String subject = q.scope().valueOf(exchange);
            if (subject != null) {
                long ttl = q.periodEnd(now).toEpochMilli() - now.toEpochMilli() + 86_400_000L;
                out.add(new QuotaKey(q, QUOTA_PREFIX + q.id() + ":" + subject + ":" + q.periodOf(now), ttl));
            }
        }
        return out;
    }

    private CompletionStage<Verdict> reserveQuotas(List<QuotaKey> keys, Estimate e) {
        return reserveWith(QUOTAS, quotaKeyNames(keys), quotaArgs(1, keys, e, 0, 0), reply -> {
            int over = ((Number) reply.get(0)).intValue();
            return over == 0 ? new Verdict(null, true) : new Verdict(keys.get(over - 1).quota().describe(), false);
        }, this::quotasWithoutRedis);
    }

    private Verdict quotasWithoutRedis(String why) {
        withoutRedis.increment();
        logOnce("Usage quotas decided without Redis ({}): on_redis_error = {}", why);
        return config.onRedisError().equals("deny") ? new Verdict(UNAVAILABLE, false) : Verdict.NOT_RESERVED;
    }

    private static String[] quotaKeyNames(List<QuotaKey> keys) {
        String[] names = new String[keys.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = keys.get(i).key();
        }
        return names;
    }

    private static String[] quotaArgs(int op, List<QuotaKey> keys, Estimate reserved, long tokens, double cost) {
        long ttl = 0;
        for (QuotaKey k : keys) {
            ttl = Math.max(ttl, k.ttlMs());
        }
        String[] args = new String[2 + keys.size() * 6];
        args[0] = Integer.toString(op);
        args[1] = Long.toString(ttl);
        for (int i = 0; i < keys.size(); i++) {
            Quota q = keys.get(i).quota();
            int at = 2 + i * 6;
            args[at] = Long.toString(q.tokens() == null ? -1 : q.tokens());
            args[at + 1] = Double.toString(q.cost() == null ? -1 : q.cost());
            args[at + 2] = Long.toString(reserved.tokens());
            args[at + 3] = Double.toString(reserved.cost());
            args[at + 4] = Long.toString(tokens);
            args[at + 5] = Double.toString(cost);
        }
        return args;
    }

    private CompletionStage<Verdict> reserve(String user, Estimate e) {
        return reserveWith(SCRIPT, keys(user), new String[] {"1", Long.toString(e.tokens()), Double.toString(e.cost()),
                "0", "0", Long.toString(config.reservationTtlMs())}, reply -> {
                    long verdict = ((Number) reply.get(0)).longValue();
                    return verdict == 0 ? new Verdict(String.valueOf(reply.get(1)), false)
                            : new Verdict(null, verdict == 1);
                }, why -> withoutRedis(user, why));
    }

    /**
     * Runs a reserving script within {@code redis_timeout_ms}; without Redis (not connected, failed, too slow)
     * {@code withoutRedis} decides, told why.
     */
    private CompletionStage<Verdict> reserveWith(RedisScript script, String[] keys, String[] args,
            java.util.function.Function<List<Object>, Verdict> read,
            java.util.function.Function<String, Verdict> withoutRedis) {
        var commands = redis.commands().orElse(null);
        if (commands == null) {
            return CompletableFuture.completedFuture(withoutRedis.apply("not connected"));
        }
        return redis.within(script.run(commands, keys, args), config.redisTimeoutMs())
                .thenApply(read)
                .exceptionally(failure -> {
                    // thenApply passes the timeout of the stage before it on wrapped in a CompletionException
                    boolean late = failure instanceof java.util.concurrent.TimeoutException
                            || failure.getCause() instanceof java.util.concurrent.TimeoutException;
                    Verdict v = withoutRedis.apply(late ? "slower than " + config.redisTimeoutMs() + " ms" : "failed");
                    // A late reserve may still run: release it at the end, so it does not hold the quota until it expires.
                    return late && v.refusal == null ? new Verdict(null, true) : v;
                });
    }

    /** {@code on_redis_error}: deny, or decide from this replica's copy of the record. */
    private Verdict withoutRedis(String user, String why) {
        withoutRedis.increment();
        logOnce("Usage quotas decided without Redis ({}): on_redis_error = {}", why);
        if (config.onRedisError().equals("deny")) {
            return new Verdict(UNAVAILABLE, false);
        }
        UsageRecord record = records.get(user);
        return new Verdict(record == null ? null : record.refusal(), false);
    }

    private static final String UNAVAILABLE = "\0unavailable";

    private void logOnce(String message, String why) {
        if (redisAwayLog.due()) {
            logger.warn(message, why, config.onRedisError());
        }
    }

    private FilterResult refuse(String reason) {
        if (UNAVAILABLE.equals(reason)) {
            return FilterResult.reject(new GatewayError(503, "service_unavailable", "usage_limit_unavailable",
                    "Usage quotas cannot be checked right now; try again shortly").withHeader("retry-after", "1"));
        }
        refused.increment();
        return FilterResult.reject(new GatewayError(402, "insufficient_quota", "insufficient_quota",
                "Usage quota exceeded: " + reason));
    }

    private static String[] keys(String user) {
        return new String[] {UsageRecord.PREFIX + user, RESERVED_PREFIX + user};
    }

    private Pricing priceOf(Exchange exchange) {
        String endpoint = exchange.get(Keys.RESOLVED_MODEL);
        Pricing p = publishedPrices.of(endpoint);
        if (p == null) {
            String model = exchange.get(Keys.MODEL);
            p = prices.get(endpoint != null && prices.containsKey(endpoint) ? endpoint : model);
        }
        return p != null ? p : defaultPrice;
    }

    /** Settles the real usage into the record and the file's quotas and releases the reservations, once. */
    private final class Settle implements ResponseListener {
        private final String user;
        private final Estimate recordReserved;
        private final List<QuotaKey> quotaKeys;
        private final Estimate quotasReserved;
        private final Estimate estimate;
        private final Pricing price;

        Settle(String user, Estimate recordReserved, List<QuotaKey> quotaKeys, Estimate quotasReserved,
                Estimate estimate, Pricing price) {
            this.user = user;
            this.recordReserved = recordReserved;
            this.quotaKeys = quotaKeys;
            this.quotasReserved = quotasReserved;
            this.estimate = estimate;
            this.price = price;
        }

        private long streamedChars;
        /** Events that passed as {@link Chunk#frames}, unread: an OpenAI-style stream sends about a token each. */
        private long framedEvents;

        /** Counts what was sent, for a client that leaves before the final usage. */
        @Override
        public void onChunk(Chunk chunk, ChunkEmitter next) {
            if (chunk.isFrames()) {
                framedEvents += chunk.events();
            } else {
                String text = chunk.text();
                if (text != null) {
                    streamedChars += text.length();
                }
            }
            next.emit(chunk);
        }

        /** Counting needs no event's content: the stream's plain events may pass as the upstream's bytes. */
        @Override
        public boolean takesFrames() {
            return true;
        }

        @Override
        public void onComplete(Completion completion) {
            Usage usage = completion.usage();
            if (usage == null && completion.cancelled() && completion.firstChunkNanos() >= 0) {
                // The client left mid-answer before the final usage: the input as estimated, the output as sent.
                usage = new Usage(estimate.inputTokens(), (streamedChars + 3) / 4 + framedEvents);
            }
            double cost = price.cost(usage);
            if (cost > 0) {
                costCharged.increment(cost);
            }
            settle(usage == null ? 0 : usage.totalTokens(), cost);
        }

        /** Gives back what was reserved, charging nothing: the request was refused after all. */
        void release() {
            settle(0, 0);
        }

        private void settle(long tokens, double cost) {
            var commands = redis.commands().orElse(null);
            boolean record = user != null && (tokens > 0 || recordReserved.tokens() > 0 || recordReserved.cost() > 0);
            boolean quotas = !quotaKeys.isEmpty() && (tokens > 0 || cost > 0 || quotasReserved.tokens() > 0);
            if (!record && !quotas) {
                return;
            }
            if (commands == null) {
                withoutRedis.increment();
                logOnce("Usage could not be written back to Redis ({}); on_redis_error = {}", "not connected");
                return;
            }
            java.util.function.BiConsumer<Object, Throwable> failed = (r, failure) -> {
                if (failure != null) {
                    withoutRedis.increment();
                    logOnce("Usage could not be written back to Redis ({}); on_redis_error = {}", "failed");
                }
            };
            if (record) {
                SCRIPT.run(commands, keys(user), "2", Long.toString(recordReserved.tokens()),
                        Double.toString(recordReserved.cost()), Long.toString(tokens), Double.toString(cost),
                        Long.toString(config.reservationTtlMs())).whenComplete(failed);
            }
            if (quotas) {
                QUOTAS.run(commands, quotaKeyNames(quotaKeys), quotaArgs(2, quotaKeys, quotasReserved, tokens, cost))
                        .whenComplete(failed);
            }
        }
    }

    /** Keeps this replica's copy of every user's record. */
    private final class Records implements RecordListener {
        @Override
        public void put(String key, String value) {
            String user = key.substring(UsageRecord.PREFIX.length());
            try {
                records.put(user, UsageRecord.parse(Json.MAPPER.readTree(value)));
            } catch (IOException | IllegalArgumentException e) {
                records.remove(user);
                logger.warn("{} cannot be read: its user is not limited", key);
            }
        }

        @Override
        public void remove(String key) {
            records.remove(key.substring(UsageRecord.PREFIX.length()));
        }

        /**
         * Every settle rewrites the record (its used fields), and every replica is told: read once per half second
         * at most, not once per request of the user on every replica. Redis decides with the record it holds; this
         * copy decides only while Redis is away, where half a second of usage does not matter.
         */
        @Override
        public long coalesceMs() {
            return 500;
        }
    }

    /**
     * budapp's {@code usage_limit_clear:<user_id>} marker says a user's cycle was reset. This copy follows the record
     * itself, so the marker has nothing left to invalidate here; it is taken away, as the Rust gateway does.
     */
    private final class ClearMarkers implements RecordListener {
        @Override
        public void put(String key, String value) {
            redis.commands().ifPresent(c -> c.del(key));
            logger.debug("Usage of {} was reset by the control plane", key.substring(UsageRecord.CLEAR_PREFIX.length()));
        }

        @Override
        public void remove(String key) {}
    }
}
