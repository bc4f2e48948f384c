package dev.budgateway.filters.limits;

import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.LogThrottle;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.ResponseListener;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every rate limit that concerns a request in one Redis round trip ({@link LimitScript}): request
 * limits take one, token limits refuse a request whose bucket is already spent and are charged with the real
 * usage when the response ends. A request over any limit gets 429 in its API's shape with the headers OpenAI's
 * SDKs read; one within them gets the same headers on its response. While Redis is away or slower than
 * {@code redis_timeout_ms}, each limit's {@code on_redis_error} decides.
 */
final class RateLimitsFilter implements Filter {

    private static final Logger logger = LoggerFactory.getLogger(RateLimitsFilter.class);
    private static final long LOG_EVERY_MS = 10_000;

    private final List<RateLimit> limits;
    private final ModelLimits modelLimits;
    private final ControlPlane redis;
    private final long timeoutMs;
    private final String prefix;
    private final Clock clock;
    private final LocalBuckets local;
    private final Leases leases;
    private final FilterMetrics.Counter refused;
    private final FilterMetrics.Counter withoutRedis;
    private final LogThrottle redisAwayLog;

    RateLimitsFilter(List<RateLimit> limits, ModelLimits modelLimits, ControlPlane redis, RateLimitsConfig c,
            Clock clock, FilterMetrics metrics) {
        this.limits = List.copyOf(limits);
        this.modelLimits = modelLimits;
        this.redis = redis;
        this.timeoutMs = c.redisTimeoutMs();
        this.prefix = c.keyPrefix();
        this.clock = clock;
        this.redisAwayLog = new LogThrottle(clock, LOG_EVERY_MS);
        this.local = new LocalBuckets(c.expectedReplicas(), clock::millis);
        this.leases = new Leases(c.leaseFraction(), clock::millis, this::script);
        this.refused = metrics.counter("rate_limits.refused", "Requests refused by a rate limit");
        this.withoutRedis = metrics.counter("rate_limits.decided_without_redis",
                "Rate-limit decisions taken without Redis (away or slower than redis_timeout_ms)");
    }

    @Override
    public FilterResult onRequest(Exchange exchange) {
        if (!exchange.endpoint().isCapability()) {
            return FilterResult.CONTINUE; // listing models and counting tokens are answered here: nothing upstream
        }
        List<LimitScript.Step> steps = steps(exchange);
        if (steps.isEmpty()) {
            return FilterResult.CONTINUE;
        }
        CompletionStage<List<LimitScript.Outcome>> decided = decide(steps);
        if (decided instanceof CompletableFuture<List<LimitScript.Outcome>> f && f.isDone()
                && !f.isCompletedExceptionally()) {
            return answer(exchange, steps, f.join()); // decided in memory (a lease): no wait, no timer
        }
        return FilterResult.await(decided, (ex, outcomes) -> answer(ex, steps, outcomes));
    }

    private List<LimitScript.Step> steps(Exchange exchange) {
        List<RateLimit> own = modelLimits.of(Scope.ENDPOINT.valueOf(exchange));
        List<LimitScript.Step> steps = new ArrayList<>(limits.size() + own.size());
        addSteps(limits, exchange, steps);
        addSteps(own, exchange, steps);
        return steps;
    }

    private void addSteps(List<RateLimit> from, Exchange exchange, List<LimitScript.Step> into) {
        for (RateLimit l : from) {
            String key = key(l, exchange);
            if (key != null) {
                into.add(new LimitScript.Step(key, l, l.unit().tokens() ? LimitScript.Op.CHECK : LimitScript.Op.TAKE,
                        l.startAmount()));
            }
        }
    }

    /** {@code <prefix><id>:<scope values>}; {@code null} when the request has no value for a scope. */
    private String key(RateLimit l, Exchange exchange) {
        StringBuilder b = new StringBuilder(prefix).append(l.id());
        for (Scope s : l.scope()) {
            String v = s.valueOf(exchange);
            if (v == null) {
                return null;
            }
            b.append(':').append(v);
        }
        return b.toString();
    }

    /** The outcomes of {@code steps}, in order: the lease's in this replica for local ones, else Redis's. */
    private CompletionStage<List<LimitScript.Outcome>> decide(List<LimitScript.Step> steps) {
        List<LimitScript.Step> exact = new ArrayList<>(steps.size());
        List<LimitScript.Step> leased = new ArrayList<>(0);
        for (LimitScript.Step s : steps) {
            (s.limit().mode() == RateLimit.Mode.LOCAL && s.op() == LimitScript.Op.TAKE ? leased : exact).add(s);
        }
        if (leased.isEmpty()) {
            return script(exact);
        }
        return leases.take(leased).thenCompose(fromLeases -> {
            boolean allLeased = fromLeases.stream().allMatch(LimitScript.Outcome::allowed);
            CompletionStage<List<LimitScript.Outcome>> rest = exact.isEmpty() || !allLeased
                    ? CompletableFuture.completedFuture(List.of()) : script(exact);
            return rest.thenApply(fromRedis -> {
                if (!allLeased || !fromRedis.stream().allMatch(LimitScript.Outcome::allowed)) {
                    // Refused: the units the other leases gave up go back to them.
                    List<LimitScript.Step> taken = new ArrayList<>(leased.size());
                    for (int i = 0; i < leased.size(); i++) {
                        if (fromLeases.get(i).allowed()) {
                            taken.add(leased.get(i));
                        }
                    }
                    leases.giveBack(taken);
                }
                List<LimitScript.Outcome> out = new ArrayList<>(steps.size());
                int li = 0;
                int ei = 0;
                for (LimitScript.Step s : steps) {
                    if (leased.contains(s)) {
                        out.add(fromLeases.get(li++));
                    } else {
                        out.add(ei < fromRedis.size() ? fromRedis.get(ei++) : notDecided());
                    }
                }
                return out;
            });
        });
    }

    /** Runs {@code steps} on Redis, or without it as their {@code on_redis_error} says. */
    CompletionStage<List<LimitScript.Outcome>> script(List<LimitScript.Step> steps) {
        if (steps.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        var commands = redis == null ? null : redis.commands().orElse(null);
        if (commands == null) {
            return CompletableFuture.completedFuture(withoutRedis(steps, "not connected"));
        }
        return redis.within(LimitScript.run(commands, steps), timeoutMs)
                .exceptionally(failure -> withoutRedis(steps, failure instanceof java.util.concurrent.TimeoutException
                        ? "slower than " + timeoutMs + " ms" : "failed"));
    }

    private List<LimitScript.Outcome> withoutRedis(List<LimitScript.Step> steps, String why) {
        withoutRedis.increment(steps.size());
        if (redisAwayLog.due()) {
            logger.warn("Rate limits decided without Redis ({}): each limit's on_redis_error applies", why);
        }
        List<LimitScript.Step> counted = new ArrayList<>();
        for (LimitScript.Step s : steps) {
            if (s.limit().onRedisError() == RateLimit.OnRedisError.LOCAL) {
                counted.add(s);
            }
        }
        List<LimitScript.Outcome> fromLocal = counted.isEmpty() ? List.of() : local.run(counted);
        List<LimitScript.Outcome> out = new ArrayList<>(steps.size());
        int i = 0;
        for (LimitScript.Step s : steps) {
            out.add(switch (s.limit().onRedisError()) {
                case LOCAL -> fromLocal.get(i++);
                case ALLOW -> notDecided();
                case DENY -> new LimitScript.Outcome(false, -1, 0, -1, 0);
            });
        }
        return out;
    }

    /** Allowed, with nothing known to report in headers. */
    private static LimitScript.Outcome notDecided() {
        return new LimitScript.Outcome(true, -1, 0, 0, 0);
    }

    private FilterResult answer(Exchange exchange, List<LimitScript.Step> steps, List<LimitScript.Outcome> outcomes) {
        long now = clock.millis();
        int over = -1;
        for (int i = 0; i < outcomes.size(); i++) {
            if (!outcomes.get(i).allowed()) {
                over = i;
                break;
            }
        }
        if (over < 0) {
            exchange.addListener(new Charge(steps, outcomes, now));
            return FilterResult.CONTINUE;
        }
        refused.increment();
        RateLimit limit = steps.get(over).limit();
        LimitScript.Outcome o = outcomes.get(over);
        if (o.retryAfterMillis() < 0) { // on_redis_error = "deny"
            return FilterResult.reject(new GatewayError(503, "service_unavailable", "rate_limit_unavailable",
                    "Rate limits cannot be checked right now; try again shortly").withHeader("retry-after", "1"));
        }
        GatewayError[] error = {new GatewayError(429, "rate_limit_error", "rate_limit_exceeded",
                "Rate limit exceeded: " + describe(limit) + "; retry after " + RateHeaders.duration(
                        o.retryAfterMillis()))};
        RateHeaders.write(steps, outcomes, now, (n, v) -> error[0] = error[0].withHeader(n, v));
        RateHeaders.retryAfter(o.retryAfterMillis(), (n, v) -> error[0] = error[0].withHeader(n, v));
        return FilterResult.reject(error[0]);
    }

    private static String describe(RateLimit l) {
        String unit = switch (l.unit()) {
            case REQUESTS -> "requests";
            case INPUT_TOKENS -> "input tokens";
            case OUTPUT_TOKENS -> "output tokens";
            case TOTAL_TOKENS -> "tokens";
        };
        String per = switch ((int) (l.periodMillis() / 1000)) {
            case 1 -> "second";
            case 60 -> "minute";
            case 3600 -> "hour";
            default -> "day";
        };
        StringBuilder b = new StringBuilder(l.id()).append(" allows ").append(l.limit()).append(' ').append(unit)
                .append(" per ").append(per);
        if (!l.scope().isEmpty()) {
            b.append(" per ");
            for (int i = 0; i < l.scope().size(); i++) {
                b.append(i == 0 ? "" : " and ").append(l.scope().get(i).label().replace('_', ' '));
            }
        }
        return b.toString();
    }

    /** Tells the response its headers and charges token limits with the real usage at the end. */
    private final class Charge implements ResponseListener {
        private final List<LimitScript.Step> steps;
        private final List<LimitScript.Outcome> outcomes;
        private final long decidedAt;

        Charge(List<LimitScript.Step> steps, List<LimitScript.Outcome> outcomes, long decidedAt) {
            this.steps = steps;
            this.outcomes = outcomes;
            this.decidedAt = decidedAt;
        }

        @Override
        public void onHead(ResponseHead head) {
            RateHeaders.write(steps, outcomes, decidedAt, head::header);
        }

        @Override
        public void onComplete(Completion completion) {
            if (completion.usage() == null) {
                return;
            }
            List<LimitScript.Step> charges = new ArrayList<>(0);
            for (LimitScript.Step s : steps) {
                long n = s.limit().tokens(completion.usage().inputTokens(), completion.usage().outputTokens());
                if (s.limit().unit().tokens() && n > 0) {
                    charges.add(new LimitScript.Step(s.key(), s.limit(), LimitScript.Op.CHARGE, n));
                }
            }
            if (!charges.isEmpty()) {
                script(charges);
            }
        }
    }
}
