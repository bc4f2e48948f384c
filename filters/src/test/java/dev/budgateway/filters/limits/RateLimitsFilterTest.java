package dev.budgateway.filters.limits;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.Mirrors;
import dev.budgateway.filters.controlplane.RedisControlPlane;
import dev.budgateway.filters.controlplane.RedisServer;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rate-limits filter through the chain harness with a real Redis. Two harnesses, each with its own filter
 * and its own Redis connection, stand for two gateway replicas sharing one Redis.
 */
class RateLimitsFilterTest {

    static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[]}";
    static final String ANSWER = "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":6}}";
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    RedisServer redis() throws Exception {
        RedisServer r = RedisServer.start();
        closing.add(r);
        return r;
    }

    /** One replica: its own control-plane connection and filter. */
    ChainHarness replica(RedisServer redis, String settings) throws Exception {
        TestFilterEnv env = new TestFilterEnv();
        closing.add(env);
        if (redis != null) {
            RedisControlPlane mirror = Mirrors.of(redis, closing);
            env.with(ControlPlane.SERVICE, mirror);
            Filter f = make(settings, env);
            Mirrors.start(mirror);
            return harness(f);
        }
        return harness(make(settings, env));
    }

    ChainHarness harness(Filter limits) {
        ChainHarness h = ChainHarness.create().peer("203.0.113.7")
                .filter("auth", e -> {
                    String key = e.header("x-key");
                    if (key != null) {
                        e.put(Keys.IDENTITY, new Identity("api_key", key, "user-" + key, "project-1", Map.of()));
                    }
                    if (e.header("x-endpoint") != null) {
                        e.put(Keys.RESOLVED_MODEL, e.header("x-endpoint"));
                    }
                    return FilterResult.CONTINUE;
                })
                .filter("rate-limits", limits).filter("routing", e -> FilterResult.CONTINUE)
                .upstream(Upstreams.unary(ANSWER));
        closing.add(h);
        return h;
    }

    static Filter make(String settings, TestFilterEnv env) throws ConfigException, java.io.IOException {
        RateLimitsFilterFactory f = new RateLimitsFilterFactory();
        return f.create(new FilterSpec("filters[1]", f.type(), f.type(), true, "reject", FilterConfig.DEFAULT_TIMEOUT_MS,
                (ObjectNode) Json.parse(settings.getBytes(StandardCharsets.UTF_8))), env);
    }

    static ChainHarness.Outcome send(ChainHarness h, String key) {
        return send(h, key == null ? Map.of() : Map.of("x-key", key));
    }

    static ChainHarness.Outcome send(ChainHarness h, Map<String, String> headers) {
        try {
            return h.send(BODY, headers);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code n} requests spread over the replicas from {@code threads} threads at once; the statuses. */
    static List<ChainHarness.Outcome> burst(List<ChainHarness> replicas, int n, String key) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<ChainHarness.Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ChainHarness h = replicas.get(i % replicas.size());
                futures.add(pool.submit(() -> send(h, key)));
            }
            List<ChainHarness.Outcome> out = new ArrayList<>();
            for (Future<ChainHarness.Outcome> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static long count(List<ChainHarness.Outcome> outcomes, int status) {
        return outcomes.stream().filter(o -> o.status() == status).count();
    }

    static String header(ChainHarness.Outcome o, String name) {
        return o.error() != null ? o.error().headers().get(name) : o.response().head().headers().get(name);
    }

    @Test
    void aLimitHoldsExactlyAcrossTwoReplicasWithHeadersAndRetryAfter() throws Exception {
        RedisServer redis = redis();
        String settings = "{\"limits\":[{\"id\":\"per-key\",\"scope\":\"api_key\",\"requests_per_hour\":25,"
                + "\"algorithm\":\"fixed_window\"}]}";
        List<ChainHarness> replicas = List.of(replica(redis, settings), replica(redis, settings));
        List<ChainHarness.Outcome> all = burst(replicas, 80, "k1");
        assertEquals(25, count(all, 200), "exactly the limit passes, across both replicas");
        assertEquals(55, count(all, 429));
        ChainHarness.Outcome refused = all.stream().filter(o -> o.status() == 429).findFirst().orElseThrow();
        assertEquals("rate_limit_error", refused.error().type());
        assertEquals("rate_limit_exceeded", refused.error().code());
        assertTrue(refused.error().message().contains("per-key:rph allows 25 requests per hour per api key"),
                refused.error().message());
        assertEquals("25", header(refused, "x-ratelimit-limit-requests"));
        assertEquals("0", header(refused, "x-ratelimit-remaining-requests"));
        assertNotNull(header(refused, "x-ratelimit-reset-requests"));
        long retry = Long.parseLong(header(refused, "retry-after"));
        assertTrue(retry >= 1 && retry <= 3600, "retry-after within the window: " + retry);
        assertTrue(Long.parseLong(header(refused, "x-ratelimit-reset")) > System.currentTimeMillis() / 1000);

        ChainHarness.Outcome other = send(replicas.get(0), "k2");
        assertEquals(200, other.status(), "another key has a bucket of its own");
        assertEquals("24", header(other, "x-ratelimit-remaining-requests"));
        assertEquals("25", header(other, "x-ratelimit-limit"));
        assertEquals(200, send(replicas.get(1), Map.of()).status(), "a request without a key is not in a per-key limit");
    }

    @Test
    void gcraAllowsTheBurstThenTheRateAndSlidingWindowsCountThePreviousWindow() throws Exception {
        RedisServer redis = redis();
        ChainHarness h = replica(redis, "{\"limits\":[{\"id\":\"g\",\"requests_per_second\":2,\"burst_size\":4},"
                + "{\"id\":\"s\",\"scope\":[\"api_key\",\"model\"],\"requests_per_hour\":1000,"
                + "\"algorithm\":\"sliding_window\"}]}");
        List<ChainHarness.Outcome> all = burst(List.of(h), 10, "k");
        assertEquals(4, count(all, 200), "the burst");
        ChainHarness.Outcome refused = all.stream().filter(o -> o.status() == 429).findFirst().orElseThrow();
        assertEquals("1", header(refused, "retry-after"), "one request's interval (500 ms), rounded up");
        assertTrue(Long.parseLong(header(refused, "retry-after-ms")) <= 500);
        Thread.sleep(600);
        assertEquals(200, send(h, "k").status(), "refilled at the rate");
        String window = redis.commands().keys("budgateway:rl:s:rph:k:gpt-4o:*").get(0);
        assertEquals("5", redis.commands().get(window), "4 of the burst and 1 after the refill; refusals not counted");
    }

    @Test
    void tokenLimitsAreChargedWithTheRealUsageAndRefuseASpentBucket() throws Exception {
        RedisServer redis = redis();
        ChainHarness h = replica(redis, "{\"limits\":[{\"id\":\"t\",\"scope\":\"user\",\"tokens_per_minute\":40},"
                + "{\"id\":\"out\",\"scope\":\"user\",\"tokens_per_day\":1000,\"tokens\":\"output\"}]}");
        ChainHarness.Outcome first = send(h, "k");
        assertEquals(200, first.status());
        assertEquals("40", header(first, "x-ratelimit-limit-tokens"));
        assertEquals("40", header(first, "x-ratelimit-remaining-tokens"), "nothing charged before the response");
        within(2_000, () -> "25".equals(header(send(h, "k"), "x-ratelimit-remaining-tokens")), "15 tokens charged");
        // 15 + 15 (+15 for the request that saw 25 left) is past 40: the bucket is spent
        within(2_000, () -> send(h, "k").status() == 429, "a spent bucket refuses");
        ChainHarness.Outcome refused = send(h, "k");
        assertEquals("0", header(refused, "x-ratelimit-remaining-tokens"));
        assertTrue(refused.error().message().contains("t:tpm allows 40 tokens per minute per user"));
        assertEquals(200, send(h, "other").status(), "another user is not charged");
    }

    @Test
    void withoutRedisEachLimitFailsTheWayItSaysAndExactLimitsResumeAfter() throws Exception {
        RedisServer redis = redis();
        ChainHarness h = replica(redis, "{\"redis_timeout_ms\":40,\"expected_replicas\":2,\"limits\":["
                + "{\"id\":\"local\",\"scope\":\"api_key\",\"requests_per_minute\":10,\"algorithm\":\"fixed_window\"}]}");
        ChainHarness allow = replica(redis, "{\"on_redis_error\":\"allow\",\"limits\":[{\"id\":\"a\","
                + "\"requests_per_minute\":1}]}");
        ChainHarness deny = replica(redis, "{\"limits\":[{\"id\":\"d\",\"requests_per_minute\":1000,"
                + "\"on_redis_error\":\"deny\"}]}");
        assertEquals(200, send(h, "k").status());
        assertEquals(200, send(allow, "k").status());
        assertEquals(429, send(allow, "k").status(), "exact while Redis is up");

        redis.down();
        long started = System.nanoTime();
        List<ChainHarness.Outcome> local = burst(List.of(h), 12, "k");
        long perRequestMs = (System.nanoTime() - started) / 12 / 1_000_000;
        assertEquals(5, count(local, 200), "each of the 2 expected replicas takes half of the limit");
        assertTrue(perRequestMs < 40, "no request waits for the Redis that is away: " + perRequestMs + " ms");
        assertEquals(200, send(allow, "k").status(), "on_redis_error = allow");
        ChainHarness.Outcome denied = send(deny, "k");
        assertEquals(503, denied.status(), "on_redis_error = deny");
        assertEquals("rate_limit_unavailable", denied.error().code());

        redis.up();
        within(10_000, () -> send(allow, "k").status() == 429, "exact again once Redis is back");
        within(10_000, () -> send(deny, "k").status() == 200, "and the deny limit passes again");
    }

    @Test
    void aSlowRedisIsNotWaitedForLongerThanTheTimeout() throws Exception {
        RedisServer redis = redis();
        ChainHarness h = replica(redis, "{\"redis_timeout_ms\":30,\"on_redis_error\":\"allow\",\"limits\":[{"
                + "\"id\":\"x\",\"requests_per_minute\":1}]}");
        assertEquals(200, send(h, "k").status());
        redis.freeze();
        long started = System.nanoTime();
        ChainHarness.Outcome o = send(h, "k");
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertEquals(200, o.status(), "allowed: decided without Redis");
        assertTrue(ms < 300, "waited " + ms + " ms for a stalled Redis (timeout 30 ms)");
        redis.thaw();
        within(2_000, () -> send(h, "k").status() == 429, "exact again once Redis answers");
    }

    @Test
    void theScriptIsSentAgainWhenRedisLostIt() throws Exception {
        RedisServer redis = redis();
        ChainHarness h = replica(redis, "{\"limits\":[{\"id\":\"x\",\"requests_per_minute\":2}]}");
        assertEquals(200, send(h, "k").status());
        redis.commands().scriptFlush();
        assertEquals(200, send(h, "k").status(), "NOSCRIPT: sent whole, then cached again");
        assertEquals(429, send(h, "k").status(), "and still exact");
    }

    @Test
    void localModeLeasesSlicesAndNeverGrantsBeyondTheLimit() throws Exception {
        RedisServer redis = redis();
        String settings = "{\"lease_fraction\":0.1,\"limits\":[{\"id\":\"l\",\"scope\":\"api_key\","
                + "\"requests_per_hour\":100,\"algorithm\":\"fixed_window\",\"mode\":\"local\"}]}";
        List<ChainHarness> replicas = List.of(replica(redis, settings), replica(redis, settings));
        List<ChainHarness.Outcome> all = burst(replicas, 300, "k");
        long passed = count(all, 200);
        System.out.println("local mode: " + passed + " of 300 passed a limit of 100 an hour over 2 replicas (lease 10)");
        assertTrue(passed <= 100, "never beyond the limit: " + passed);
        assertTrue(passed >= 100 - 2 * 10, "at most each replica's lease unspent: " + passed);
        String window = redis.commands().keys("budgateway:rl:l:rph:k:*").get(0);
        assertTrue(Long.parseLong(redis.commands().get(window)) <= 100, "Redis granted no more than the limit");
    }

    @Test
    void modelTablesRateLimitsApplyPerModelAndTheRustDefaultsToTheOthers() throws Exception {
        RedisServer redis = redis();
        ChainHarness h = replica(redis, "{\"defaults\":{\"enabled\":true,\"default_requests_per_minute\":3}}");
        redis.set("model_table:ep-1", "{\"ep-1\":{\"routing\":[\"p\"],\"providers\":{\"p\":{\"type\":\"openai\","
                + "\"model_name\":\"m\",\"api_key_location\":\"none\"}},\"rate_limits\":{\"algorithm\":"
                + "\"token_bucket\",\"requests_per_minute\":1,\"burst_size\":1,\"enabled\":true}}}");
        within(2_000, () -> send(h, Map.of("x-key", "k", "x-endpoint", "ep-1")).status() == 429,
                "the model table's 1 per minute");
        List<ChainHarness.Outcome> others = burst(List.of(h), 5, "k");
        assertEquals(3, count(others, 200), "the defaults of [gateway.rate_limits] for a model without limits");
    }

    /** The keys of every {@code event} keyspace event from now on, as a replica's mirror receives them. */
    List<String> keyEvents(RedisServer redis, String event) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.url());
        closing.add(client::shutdown);
        var pubsub = client.connectPubSub();
        closing.add(pubsub);
        List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
        pubsub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String key) {
                keys.add(key);
            }
        });
        pubsub.sync().psubscribe("__keyevent@*__:" + event);
        return keys;
    }

    @Test
    void aTokenBucketTakesWithoutTellingEveryReplicaAboutIt() throws Exception {
        RedisServer redis = redis();
        // Every replica listens to "set" events for the control plane's records: a SET per request would reach all.
        List<String> sets = keyEvents(redis, "set");
        String settings = "{\"limits\":[{\"id\":\"per-key\",\"scope\":\"api_key\",\"requests_per_minute\":5,"
                + "\"burst_size\":5}]}";
        ChainHarness h = replica(redis, settings);
        List<Integer> statuses = new ArrayList<>();
        statuses.add(send(h, "k9").status());
        String bucket = redis.commands().keys("budgateway:rl:per-key:*").get(0);
        assertEquals("hash", redis.commands().type(bucket));
        // A bucket a gateway before this change left as a string is started afresh, not an error.
        redis.commands().set(bucket, "1.000");
        for (int i = 0; i < 6; i++) {
            statuses.add(send(h, "k9").status());
        }
        assertEquals(List.of(200, 200, 200, 200, 200, 200, 429), statuses);
        redis.commands().set("probe", "1"); // events arrive in order: once this one is in, any earlier one is too
        within(2_000, () -> sets.contains("probe"), "the probe's event");
        assertEquals(List.of(bucket, "probe"), List.copyOf(sets), "only the test's own two SETs");
    }

    @Test
    void aTokenBucketBelowItsLimitDoesNotExpireBetweenRequests() throws Exception {
        RedisServer redis = redis();
        // Every replica listens to "expired" events too: a bucket expiring the moment it is full again would
        // expire between the requests of any client below its limit, and reach all of them each time.
        redis.commands().configSet("notify-keyspace-events", "Ex");
        List<String> expired = keyEvents(redis, "expired");
        // Full again 10 ms after each request: requests 50 ms apart are well below the limit.
        ChainHarness h = replica(redis, "{\"limits\":[{\"id\":\"fast\",\"scope\":\"api_key\","
                + "\"requests_per_second\":100}]}");
        for (int i = 0; i < 5; i++) {
            assertEquals(200, send(h, "k10").status());
            Thread.sleep(50);
        }
        String bucket = redis.commands().keys("budgateway:rl:fast:*").get(0);
        long ttl = redis.commands().pttl(bucket);
        assertTrue(ttl > 55_000 && ttl <= 60_010, "kept about a minute past full: " + ttl + " ms");
        redis.commands().psetex("probe", 1, "1");
        within(2_000, () -> expired.contains("probe"), "the probe's expiry");
        assertEquals(List.of("probe"), List.copyOf(expired), "no bucket expired between the requests");
    }
}
