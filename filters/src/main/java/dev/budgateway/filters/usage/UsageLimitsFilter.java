package dev.budgateway.filters.usage;

import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.ModelPolicies;
import dev.budgateway.filters.controlplane.RecordListener;
import dev.budgateway.filters.controlplane.RedisScript;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.ResponseListener;
import dev.budgateway.plugins.spi.Usage;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's usage quotas ({@code usage_limit:<user_id>}), honoured as the Rust gateway does (admins pass,
 * a user without a record passes, {@code allowed = false} or a reached quota answers 402 {@code insufficient_quota})
 * and made exact across replicas: a request of a user with a quota reserves an estimate of its tokens and cost in
 * Redis, atomically with the check, and settles the real usage into the record's used fields at its end (where
 * budapp reads them), releasing the rest. Users without a quota cost no round trip: this replica keeps a copy of
 * the records.
 */
final class UsageLimitsFilter implements Filter {

    private static final Logger logger = LoggerFactory.getLogger(UsageLimitsFilter.class);
    private static final RedisScript SCRIPT = RedisScript.load(UsageLimitsFilter.class, "usage_limits.lua");
    private static final String RESERVED_PREFIX = "budgateway:usage_reserved:";
    private static final long LOG_EVERY_MS = 10_000;

    private final ControlPlane redis;
    private final UsageLimitsConfig config;
    private final ModelPolicies<Pricing> publishedPrices;
    private final Map<String, Pricing> prices;
    private final Pricing defaultPrice;
    private final Clock clock;
    private final Map<String, UsageRecord> records = new ConcurrentHashMap<>();
    private final FilterMetrics.Counter refused;
    private final FilterMetrics.Counter withoutRedis;
    private final FilterMetrics.Counter costCharged;
    private final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE / 2);

    UsageLimitsFilter(ControlPlane redis, UsageLimitsConfig config, Map<String, Pricing> prices, Pricing defaultPrice,
            Clock clock, FilterMetrics metrics) {
        this.redis = redis;
        this.config = config;
        this.prices = Map.copyOf(prices);
        this.defaultPrice = defaultPrice;
        this.clock = clock;
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
        Identity identity = exchange.get(Keys.IDENTITY);
        String user = identity == null ? null : identity.userId();
        if (user == null) {
            return FilterResult.CONTINUE; // keys without a user are never checked (as the Rust gateway)
        }
        UsageRecord record = records.get(user);
        if (record == null && redis.loaded()) {
            return FilterResult.CONTINUE; // no billing plan: allowed, and nothing to write back
        }
        if (record != null && record.admin()) {
            return FilterResult.CONTINUE;
        }
        if (record != null && !record.allowed()) {
            return refuse(record.refusal());
        }
        Pricing price = priceOf(exchange);
        Estimate estimate = config.reserve() ? Estimate.of(exchange, config.defaultMaxTokens(), price) : Estimate.NONE;
        return FilterResult.await(reserve(user, estimate), (ex, verdict) -> {
            if (verdict.refusal != null) {
                return refuse(verdict.refusal);
            }
            ex.addListener(new Settle(user, verdict.reserved ? estimate : Estimate.NONE, estimate, price));
            return FilterResult.CONTINUE;
        });
    }

    private record Verdict(String refusal, boolean reserved) {}

    private CompletionStage<Verdict> reserve(String user, Estimate e) {
        var commands = redis.commands().orElse(null);
        if (commands == null) {
            return CompletableFuture.completedFuture(withoutRedis(user, "not connected"));
        }
        return SCRIPT.run(commands, keys(user), "1", Long.toString(e.tokens()), Double.toString(e.cost()), "0", "0",
                Long.toString(config.reservationTtlMs())).toCompletableFuture()
                .orTimeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS)
                .thenApply(reply -> {
                    long verdict = ((Number) reply.get(0)).longValue();
                    return verdict == 0 ? new Verdict(String.valueOf(reply.get(1)), false)
                            : new Verdict(null, verdict == 1);
                })
                .exceptionally(failure -> withoutRedis(user, failure instanceof java.util.concurrent.TimeoutException
                        ? "slower than " + config.redisTimeoutMs() + " ms" : "failed"));
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
        long now = clock.millis();
        long last = lastLogged.get();
        if (now - last >= LOG_EVERY_MS && lastLogged.compareAndSet(last, now)) {
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

    /** Settles the real usage into the record and releases the reservation, once, at the end. */
    private final class Settle implements ResponseListener {
        private final String user;
        private final Estimate reserved;
        private final Estimate estimate;
        private final Pricing price;

        Settle(String user, Estimate reserved, Estimate estimate, Pricing price) {
            this.user = user;
            this.reserved = reserved;
            this.estimate = estimate;
            this.price = price;
        }

        @Override
        public void onComplete(Completion completion) {
            Usage usage = completion.usage();
            if (usage == null && completion.cancelled() && completion.firstChunkNanos() >= 0) {
                // The client left mid-answer before the final usage: charge what was estimated, not nothing.
                usage = new Usage(estimate.inputTokens(), estimate.outputTokens());
            }
            long tokens = usage == null ? 0 : usage.totalTokens();
            double cost = price.cost(usage);
            if (cost > 0) {
                costCharged.increment(cost);
            }
            if (tokens == 0 && reserved.tokens() == 0 && reserved.cost() == 0) {
                return;
            }
            var commands = redis.commands().orElse(null);
            if (commands == null) {
                withoutRedis.increment();
                logOnce("Usage could not be written back to Redis ({}); on_redis_error = {}", "not connected");
                return;
            }
            SCRIPT.run(commands, keys(user), "2", Long.toString(reserved.tokens()), Double.toString(reserved.cost()),
                    Long.toString(tokens), Double.toString(cost), Long.toString(config.reservationTtlMs()))
                    .whenComplete((r, failure) -> {
                        if (failure != null) {
                            withoutRedis.increment();
                            logOnce("Usage could not be written back to Redis ({}); on_redis_error = {}", "failed");
                        }
                    });
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
