package dev.budgateway.filters.controlplane;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.FilterMetrics;
import io.lettuce.core.RedisURI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mirror against a real redis-server: load, live changes, outages, bad records. */
class RedisControlPlaneTest {

    RedisServer redis;
    RedisControlPlane mirror;
    final Map<String, String> keys = new ConcurrentHashMap<>();

    @AfterEach
    void close() throws Exception {
        if (mirror != null) {
            mirror.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    RedisControlPlane mirror(RedisServer r) {
        RedisControlPlane m = new RedisControlPlane(new RedisSettings(RedisURI.create(r.url()), true, 300_000, 1_000),
                FilterMetrics.NONE);
        m.watch("api_key:*", intoKeys(0));
        return m;
    }

    /** Keeps the records in {@link #keys}, refusing values that start with "bad". */
    RecordListener intoKeys(long coalesceMs) {
        return new RecordListener() {
            @Override
            public void put(String key, String value) {
                if (value.startsWith("bad")) {
                    throw new IllegalArgumentException("not budapp's shape");
                }
                keys.put(key, value);
            }

            @Override
            public void remove(String key) {
                keys.remove(key);
            }

            @Override
            public long coalesceMs() {
                return coalesceMs;
            }
        };
    }

    @Test
    void loadsWithScanThenFollowsSetDeleteAndExpiry() throws Exception {
        redis = RedisServer.start();
        for (int i = 0; i < 2500; i++) {
            redis.set("api_key:k" + i, "v" + i);
        }
        redis.set("other:x", "not watched");
        redis.set("api_key:broken", "bad record");
        mirror = mirror(redis).start();
        within(5_000, mirror::loaded, "first load");
        assertEquals(2500, keys.size(), "every good record, across several SCAN pages; the bad one skipped");
        assertEquals(DependencyState.OK, mirror.state());
        assertTrue(redis.commands().configGet("notify-keyspace-events").get("notify-keyspace-events")
                .contains("E"), "the mirror turned keyspace events on");

        redis.set("api_key:new", "fresh");
        within(1_000, () -> "fresh".equals(keys.get("api_key:new")), "a key set after start");
        redis.set("api_key:k1", "replaced");
        within(1_000, () -> "replaced".equals(keys.get("api_key:k1")), "a replaced value");
        redis.delete("api_key:k2");
        within(1_000, () -> !keys.containsKey("api_key:k2"), "a deleted key");
        redis.setWithTtl("api_key:short", "lived", 1);
        within(1_000, () -> keys.containsKey("api_key:short"), "a key with a TTL");
        within(3_000, () -> !keys.containsKey("api_key:short"), "the key expired");
        redis.set("api_key:k3", "bad now");
        within(1_000, () -> !keys.containsKey("api_key:k3"), "a record made malformed is dropped, not kept stale");
        assertEquals("v4", keys.get("api_key:k4"), "and the others stay");
    }

    @Test
    void changesToAHeldRecordAreGatheredIntoOneReadWhenItsListenerAsks() throws Exception {
        redis = RedisServer.start();
        redis.set("usage:u1", "v0");
        mirror = new RedisControlPlane(new RedisSettings(RedisURI.create(redis.url()), true, 300_000, 1_000),
                FilterMetrics.NONE);
        mirror.watch("usage:*", intoKeys(1_000));
        mirror.start();
        within(5_000, mirror::loaded, "first load");
        long getsBefore = gets();
        long started = System.nanoTime();
        for (int i = 1; i <= 50; i++) {
            redis.set("usage:u1", "v" + i); // as a settle does, once per request
        }
        redis.set("usage:new", "n"); // a record not held yet: not held back
        within(500, () -> "n".equals(keys.get("usage:new")), "a new record at once");
        within(3_000, () -> "v50".equals(keys.get("usage:u1")), "the last of the changes");
        assertTrue(System.nanoTime() - started >= 900_000_000L, "held back for about its second");
        long reads = gets() - getsBefore - 1; // the new record's
        assertTrue(reads <= 2, "50 changes read with " + reads + " GETs");
        redis.delete("usage:u1");
        within(500, () -> !keys.containsKey("usage:u1"), "a removal at once");
    }

    /** How many GETs Redis has answered. */
    long gets() {
        String stats = redis.commands().info("commandstats");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_get:calls=(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void changesMadeWhileDisconnectedArriveWithTheReScan() throws Exception {
        redis = RedisServer.start();
        redis.set("api_key:kept", "1");
        redis.set("api_key:revoked", "1");
        mirror = mirror(redis).start();
        within(5_000, mirror::loaded, "first load");
        redis.down();
        within(2_000, () -> mirror.state() == DependencyState.DEGRADED, "the outage shows");
        assertEquals("1", keys.get("api_key:revoked"), "cached records keep working meanwhile");
        redis.whileDown(c -> {
            c.del("api_key:revoked");
            c.set("api_key:added", "2");
        });
        redis.up();
        within(10_000, () -> keys.containsKey("api_key:added") && !keys.containsKey("api_key:revoked"),
                "the re-scan after reconnecting");
        assertEquals("1", keys.get("api_key:kept"));
        within(2_000, () -> mirror.state() == DependencyState.OK, "healthy again");
        redis.set("api_key:after", "3");
        within(1_000, () -> keys.containsKey("api_key:after"), "notifications after the reconnect");
    }

    @Test
    void aRedisAwayAtStartIsWaitedFor() throws Exception {
        redis = RedisServer.notStarted();
        mirror = mirror(redis).start();
        Thread.sleep(300);
        assertFalse(mirror.loaded());
        assertEquals(DependencyState.DOWN, mirror.state());
        redis.up();
        redis.set("api_key:late", "1");
        within(10_000, () -> keys.containsKey("api_key:late") && mirror.loaded(), "loaded once Redis is up");
        within(2_000, () -> mirror.state() == DependencyState.OK, "healthy");
        assertNull(keys.get("api_key:none"));
    }

    @Test
    void aSentinelUrlFindsThePrimary() throws Exception {
        redis = RedisServer.start();
        redis.set("api_key:via-sentinel", "1");
        try (RedisServer.Sentinel sentinel = redis.sentinel("budmaster")) {
            mirror = new RedisControlPlane(new RedisSettings(RedisURI.create(sentinel.url()), true, 300_000, 1_000),
                    FilterMetrics.NONE);
            mirror.watch("api_key:*", intoKeys(0));
            mirror.start();
            within(10_000, mirror::loaded, "loaded through the sentinel");
            assertEquals("1", keys.get("api_key:via-sentinel"));
            redis.set("api_key:later", "2");
            within(1_000, () -> keys.containsKey("api_key:later"), "notifications through the sentinel's primary");
            mirror.close();
            mirror = null;
        }
    }

    @Test
    void missingKeyspaceFlagsAreAddedToWhatIsSet() {
        assertEquals("", RedisControlPlane.missingFlags("KEA"));
        assertEquals("", RedisControlPlane.missingFlags("E$gxe"));
        assertEquals("E", RedisControlPlane.missingFlags("KA"));
        assertEquals("E$gxe", RedisControlPlane.missingFlags(""));
        assertEquals("gxe", RedisControlPlane.missingFlags("E$"));
    }
}
