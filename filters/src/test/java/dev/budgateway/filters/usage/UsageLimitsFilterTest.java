package dev.budgateway.filters.usage;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.Mirrors;
import dev.budgateway.filters.controlplane.RedisControlPlane;
import dev.budgateway.filters.controlplane.RedisServer;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.Terminal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The usage-limits filter through the chain harness, on records written as budapp writes them, with a real Redis. */
class UsageLimitsFilterTest {

    static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[],\"max_tokens\":16}";
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

    ChainHarness replica(RedisServer redis, String settings) throws Exception {
        return replica(redis, settings, Upstreams.unary(ANSWER));
    }

    ChainHarness replica(RedisServer redis, String settings, Terminal upstream) throws Exception {
        TestFilterEnv env = new TestFilterEnv();
        closing.add(env);
        RedisControlPlane mirror = Mirrors.of(redis, closing);
        env.with(ControlPlane.SERVICE, mirror);
        UsageLimitsFilterFactory f = new UsageLimitsFilterFactory();
        Filter usage = f.create(new FilterSpec("filters[1]", f.type(), f.type(), true, "reject",
                FilterConfig.DEFAULT_TIMEOUT_MS, (ObjectNode) Json.parse(settings.getBytes(StandardCharsets.UTF_8))),
                env);
        Mirrors.start(mirror);
        ChainHarness h = ChainHarness.create()
                .filter("auth", e -> {
                    String user = e.header("x-user");
                    e.put(Keys.IDENTITY, new Identity("api_key", "key-1", user, "project-1", Map.of()));
                    return FilterResult.CONTINUE;
                })
                .filter("usage-limits", usage).filter("routing", e -> FilterResult.CONTINUE)
                .upstream(upstream);
        closing.add(h);
        return h;
    }

    static ChainHarness.Outcome send(ChainHarness h, String user, String body) {
        try {
            return h.send(body, user == null ? Map.of() : Map.of("x-user", user));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ChainHarness.Outcome send(ChainHarness h, String user) {
        return send(h, user, BODY);
    }

    /** A record as budapp writes it. */
    static String record(String user, String type, boolean allowed, Long tokensQuota, long tokensUsed,
            Double costQuota, double costUsed, String reason) {
        return "{\"user_id\":\"" + user + "\",\"user_type\":\"" + type + "\",\"allowed\":" + allowed
                + ",\"status\":\"active\",\"tokens_quota\":" + tokensQuota + ",\"tokens_used\":" + tokensUsed
                + ",\"cost_quota\":" + costQuota + ",\"cost_used\":" + costUsed + ",\"update_id\":7,\"reason\":"
                + (reason == null ? "null" : "\"" + reason + "\"") + ",\"reset_at\":\"2026-12-31T00:00:00Z\","
                + "\"last_updated\":\"2026-12-01T00:00:00Z\",\"billing_cycle_start\":null,\"billing_cycle_end\":null}";
    }

    static JsonNode read(RedisServer redis, String key) {
        try {
            return Json.parse(redis.commands().get(key).getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void recordsDecideAsTheRustGatewayAndUsageIsWrittenBack() throws Exception {
        RedisServer redis = redis();
        redis.setWithTtl("usage_limit:u-quota", record("u-quota", "client", true, 10_000L, 100, 5.0, 0.5, null),
                3600);
        redis.set("usage_limit:u-blocked", record("u-blocked", "client", false, null, 0, null, 0,
                "Billing plan suspended"));
        redis.set("usage_limit:u-admin", record("u-admin", "admin", false, 1L, 50, null, 0, "ignored"));
        redis.set("usage_limit:u-spent", record("u-spent", "client", true, 1000L, 1000, null, 0, null));
        ChainHarness h = replica(redis, "{\"prices\":{\"gpt-4o\":{\"input_cost\":2.5,\"output_cost\":10,"
                + "\"per_tokens\":1000000}}}");

        assertEquals(200, send(h, "u-free").status(), "no record: allowed (freemium)");
        assertEquals(200, send(h, null).status(), "a key without a user is never checked");
        assertEquals(200, send(h, "u-admin").status(), "admins pass");
        ChainHarness.Outcome blocked = send(h, "u-blocked");
        assertEquals(402, blocked.status());
        assertEquals("insufficient_quota", blocked.error().type());
        assertEquals("Usage quota exceeded: Billing plan suspended", blocked.error().message());
        ChainHarness.Outcome spent = send(h, "u-spent");
        assertEquals(402, spent.status());
        assertEquals("Usage quota exceeded: token quota reached", spent.error().message());

        assertEquals(200, send(h, "u-quota").status());
        within(2_000, () -> read(redis, "usage_limit:u-quota").path("tokens_used").asLong() == 115,
                "9 + 6 tokens written back into the record");
        JsonNode after = read(redis, "usage_limit:u-quota");
        assertEquals(0.5 + (9 * 2.5 + 6 * 10) / 1_000_000, after.path("cost_used").asDouble(), 1e-12);
        assertEquals(7, after.path("update_id").asLong(), "budapp's fields are kept");
        assertEquals("2026-12-31T00:00:00Z", after.path("reset_at").asText());
        assertTrue(redis.commands().ttl("usage_limit:u-quota") > 3000, "and its expiry");
        within(2_000, () -> redis.commands().exists("budgateway:usage_reserved:u-quota") == 0,
                "the reservation is released");
    }

    @Test
    void aResetByTheControlPlaneLetsTheUserThroughAgain() throws Exception {
        RedisServer redis = redis();
        redis.set("usage_limit:u1", record("u1", "client", true, 100L, 150, null, 0, null));
        ChainHarness h = replica(redis, "{}");
        assertEquals(402, send(h, "u1").status());
        redis.set("usage_limit:u1", record("u1", "client", true, 100L, 0, null, 0, null));
        redis.set("usage_limit_clear:u1", "1");
        within(2_000, () -> send(h, "u1").status() == 200, "passes after the reset");
        within(2_000, () -> redis.commands().exists("usage_limit_clear:u1") == 0, "the marker is taken away");
    }

    @Test
    void concurrentRequestsOvershootANearlySpentQuotaByNoMoreThanTheEstimateError() throws Exception {
        RedisServer redis = redis();
        long quota = 100_000;
        long used = quota - 100;
        redis.set("usage_limit:u1", record("u1", "client", true, quota, used, null, 0, null));
        // Each request is estimated at ceil(len/4) input tokens + max_tokens 1; it really uses 9 + 6 = 15.
        String body = BODY.replace("\"max_tokens\":16", "\"max_tokens\":1");
        long estimate = (body.length() + 3) / 4 + 1;
        List<ChainHarness> replicas = List.of(replica(redis, "{}"), replica(redis, "{}"));
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ChainHarness h = replicas.get(i % 2);
            statuses.add(pool.submit(() -> send(h, "u1", body).status()));
        }
        int passed = 0;
        for (Future<Integer> f : statuses) {
            passed += f.get() == 200 ? 1 : 0;
        }
        pool.shutdown();
        long admittedBound = (100 + estimate - 1) / estimate;
        within(3_000, () -> redis.commands().exists("budgateway:usage_reserved:u1") == 0, "every request settled");
        long finalUsed = read(redis, "usage_limit:u1").path("tokens_used").asLong();
        long overshoot = finalUsed - quota;
        long bound = estimate + admittedBound * Math.max(0, 15 - estimate);
        System.out.println("usage quota: " + passed + " of 200 concurrent requests admitted with 100 tokens left "
                + "(estimate " + estimate + ", real 15): overshoot " + overshoot + " tokens, bound " + bound);
        // Admitted while used + reserved left room: every reservation before any settle admits ceil(100 / 13);
        // every settle before the next reservation (15 real tokens each) admits ceil(100 / 15). Both are exact ends.
        long settledFirst = (100 + 15 - 1) / 15;
        assertTrue(passed >= settledFirst && passed <= admittedBound, "admitted " + passed + ", between "
                + settledFirst + " and " + admittedBound);
        assertEquals(used + 15L * passed, finalUsed, "every admitted request's real usage is written back");
        assertTrue(overshoot <= bound, "overshoot " + overshoot + " within " + bound);
    }

    @Test
    void withoutRedisTheCopyOfTheRecordsDecidesOrItDenies() throws Exception {
        RedisServer redis = redis();
        redis.set("usage_limit:ok", record("ok", "client", true, 1000L, 10, null, 0, null));
        redis.set("usage_limit:spent", record("spent", "client", true, 1000L, 1000, null, 0, null));
        ChainHarness allow = replica(redis, "{\"redis_timeout_ms\":50}");
        ChainHarness deny = replica(redis, "{\"on_redis_error\":\"deny\"}");
        redis.down();
        long started = System.nanoTime();
        assertEquals(200, send(allow, "ok").status(), "allowed by the copy of its record");
        assertEquals(402, send(allow, "spent").status(), "refused by the copy of its record");
        assertTrue((System.nanoTime() - started) / 1_000_000 < 500, "no waiting for the Redis that is away");
        ChainHarness.Outcome denied = send(deny, "ok");
        assertEquals(503, denied.status());
        assertEquals("usage_limit_unavailable", denied.error().code());
        assertEquals(200, send(deny, "no-record").status(), "a user without a record needs no Redis");
        redis.up();
        within(10_000, () -> send(deny, "ok").status() == 200, "reserved again once Redis is back");
    }

    @Test
    void aReservationThatOutlivedItsTimeoutIsReleasedAtTheEnd() throws Exception {
        RedisServer redis = redis();
        redis.set("usage_limit:slow", record("slow", "client", true, 100_000L, 0, null, 0, null));
        ChainHarness h = replica(redis, "{\"redis_timeout_ms\":30}");
        assertEquals(200, send(h, "slow").status());
        redis.freeze();
        ChainHarness.Outcome o;
        try {
            long started = System.nanoTime();
            o = send(h, "slow");
            assertTrue((System.nanoTime() - started) / 1_000_000 < 300, "not waited for past redis_timeout_ms");
        } finally {
            redis.thaw();
        }
        assertEquals(200, o.status(), "allowed by the copy of its record");
        // Redis runs what was queued in order once it goes on: the late reserve, then the settle that gives it back.
        within(3_000, () -> read(redis, "usage_limit:slow").path("tokens_used").asLong() == 30, "both charged");
        String reserved = redis.commands().hget("budgateway:usage_reserved:slow", "tokens");
        assertEquals(0, reserved == null ? 0 : Long.parseLong(reserved), "nothing left reserved");
    }

    @Test
    void theFilesQuotasHoldPerKeyAndPeriodWithoutAControlPlaneRecord() throws Exception {
        RedisServer redis = redis();
        ChainHarness h = replica(redis, "{\"quotas\":[{\"id\":\"daily\",\"scope\":\"api_key\",\"period\":\"day\","
                + "\"tokens\":30},{\"id\":\"monthly-cost\",\"scope\":\"project\",\"period\":\"month\","
                + "\"cost\":1000}]}");
        assertEquals(200, send(h, "someone").status(), "15 tokens used");
        assertEquals(200, send(h, "someone").status(), "15 left: admitted, and 30 used");
        within(2_000, () -> send(h, "someone").status() == 402, "the day's 30 tokens are spent");
        ChainHarness.Outcome refused = send(h, "someone");
        assertEquals("Usage quota exceeded: daily allows 30 tokens per day per api key", refused.error().message());
        String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertEquals("30", redis.commands().hget("budgateway:quota:daily:key-1:" + day, "used_tokens"));
        assertEquals("0", redis.commands().hget("budgateway:quota:daily:key-1:" + day, "reserved_tokens"),
                "a refused request reserves nothing, and settled ones release theirs");
        String month = day.substring(0, 7);
        assertTrue(Double.parseDouble(redis.commands().hget("budgateway:quota:monthly-cost:project-1:" + month,
                "used_cost")) > 0, "cost counted per project and month");
        assertEquals("0", redis.commands().hget("budgateway:quota:monthly-cost:project-1:" + month, "reserved_tokens"));
        assertTrue(redis.commands().ttl("budgateway:quota:daily:key-1:" + day) > 86_400, "kept a day past the period");
    }

    @Test
    void aClientThatLeavesMidStreamIsChargedForWhatItWasSent() throws Exception {
        RedisServer redis = redis();
        redis.set("usage_limit:u1", record("u1", "client", true, 100_000L, 0, null, 0, null));
        // 40 characters of text sent, then the upstream goes quiet: no finish, no usage.
        ChainHarness h = replica(redis, "{}", hanging(Upstreams.chatChunks(new String[] {"0123456789", "0123456789",
                "01234567890123456789"}, false)));
        ChainHarness.Outcome o = h.sendAndLeave(BODY.replace("\"max_tokens\":16", "\"max_tokens\":4000,\"stream\":true"),
                Map.of("x-user", "u1"), 300);
        assertTrue(o.completion().cancelled(), "the client left");
        long input = (BODY.replace("\"max_tokens\":16", "\"max_tokens\":4000,\"stream\":true").length() + 3) / 4;
        within(2_000, () -> read(redis, "usage_limit:u1").path("tokens_used").asLong() == input + 10,
                "the estimated input and the 40 characters sent (10 tokens), not the 4000 reserved");
    }

    @Test
    void eventsThatPassedAsFramesAreChargedAboutATokenEach() throws Exception {
        RedisServer redis = redis();
        redis.set("usage_limit:u1", record("u1", "client", true, 100_000L, 0, null, 0, null));
        // 12 plain events that went by unread, then 8 characters of text (2 tokens), then silence.
        byte[] run = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n".repeat(12)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Chunk> chunks = new java.util.ArrayList<>();
        chunks.add(Chunk.frames(run, 12));
        chunks.addAll(Upstreams.chatChunks(new String[] {"01234567"}, false));
        String body = BODY.replace("\"max_tokens\":16", "\"max_tokens\":4000,\"stream\":true");
        ChainHarness h = replica(redis, "{}", hanging(chunks));
        ChainHarness.Outcome o = h.sendAndLeave(body, Map.of("x-user", "u1"), 300);
        assertTrue(o.completion().cancelled(), "the client left");
        long input = (body.length() + 3) / 4;
        within(2_000, () -> read(redis, "usage_limit:u1").path("tokens_used").asLong() == input + 12 + 2,
                "the estimated input, a token for each framed event and 2 for the text");
    }

    /** An upstream that sends these chunks and then nothing, until cancelled. */
    static Terminal hanging(List<Chunk> chunks) {
        ChunkStream body = new ChunkStream() {
            @Override
            public void subscribe(ChunkSubscriber subscriber) {
                chunks.forEach(subscriber::onChunk);
            }

            @Override
            public void cancel() {}
        };
        return exchange -> CompletableFuture.completedFuture(new Response(new ResponseHead(200, true), body));
    }
}
