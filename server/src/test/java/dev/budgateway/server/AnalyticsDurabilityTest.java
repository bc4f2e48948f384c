package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing lost at volume, nor when the gateway is stopped with SIGTERM under load while ClickHouse is away. */
class AnalyticsDurabilityTest {

    static final String MODEL = "[models.d]\nrouting = [\"x\"]\n[models.d.providers.x]\ntype = \"dummy\"\n"
            + "model_name = \"echo\"\n";
    static final String CHAT = "{\"model\":\"d\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    @TempDir
    Path dir;
    ClickHouseServer clickhouse;
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (clickhouse != null) {
            clickhouse.close();
        }
    }

    long count(String sql) {
        try {
            return Long.parseLong(clickhouse.query(sql));
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aHundredThousandRequestsMakeExactlyAHundredThousandRows() throws Exception {
        clickhouse = ClickHouseServer.start();
        TestGateway gw = TestGateway.start(MODEL + "[clickhouse]\nspool_dir = \"" + dir.resolve("spool") + "\"\n",
                Map.of("TENSORZERO_CLICKHOUSE_URL", clickhouse.url("volume"), "BUDGATEWAY_REQUEST_LOG", "OFF"));
        closing.add(gw);
        int total = 100_000;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gw.baseUrl + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
        Semaphore inFlight = new Semaphore(32);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < total; i++) {
            inFlight.acquire();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, t) -> {
                if (t == null && r.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(32);
        assertEquals(total, ok.get(), failed.get() + " failed");
        within(60_000, () -> count("SELECT count() FROM volume.GatewayAnalytics") >= total, "the rows arrive");
        assertEquals(total, count("SELECT count() FROM volume.GatewayAnalytics FINAL"));
        assertEquals(total, count("SELECT uniqExact(id) FROM volume.GatewayAnalytics"));
        assertEquals(total, count("SELECT count() FROM volume.ModelInference FINAL"));
    }

    @Test
    void aGatewayStoppedWithSigtermUnderLoadWhileClickHouseIsAwayLosesNoRow() throws Exception {
        clickhouse = ClickHouseServer.start();
        clickhouse.query("CREATE DATABASE durable");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path spool = dir.resolve("spool");
        Path config = dir.resolve("gateway.toml");
        Files.writeString(config, "[gateway]\nbind_address = \"127.0.0.1:" + port + "\"\nplugins_dir = \"/nonexistent\"\n"
                + "shutdown_grace_period_ms = 2000\n" + MODEL + "[clickhouse]\nflush_interval_ms = 100\nspool_dir = \""
                + spool + "\"\n");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.budgateway.server.Main", "--config",
                config.toString());
        pb.environment().put("TENSORZERO_CLICKHOUSE_URL", clickhouse.url("durable"));
        pb.environment().put("BUDGATEWAY_REQUEST_LOG", "OFF");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile());
        Process gateway = pb.start();
        closing.add(gateway::destroyForcibly);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        within(30_000, () -> {
            try {
                return http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }, "the gateway is up");
        within(10_000, () -> count("EXISTS TABLE durable.GatewayAnalytics") == 1, "its tables are made");
        clickhouse.down();

        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(CHAT))
                .timeout(Duration.ofSeconds(10)).build();
        AtomicLong ok = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        List<CompletableFuture<Void>> load = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            load.add(CompletableFuture.runAsync(() -> {
                while (true) {
                    try {
                        HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                        answered.incrementAndGet();
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        return; // the gateway has stopped listening
                    }
                }
            }));
        }
        within(20_000, () -> ok.get() >= 2_000, "load runs");
        gateway.destroy(); // SIGTERM, with requests in flight
        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway stops within its grace period");
        CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        long served = ok.get();
        assertTrue(Files.list(spool).findAny().isPresent(), "the rows wait in the spool");

        clickhouse.up();
        TestGateway after = TestGateway.start(MODEL + "[clickhouse]\nflush_interval_ms = 100\nspool_dir = \"" + spool
                + "\"\n", Map.of("TENSORZERO_CLICKHOUSE_URL", clickhouse.url("durable")));
        closing.add(after);
        within(30_000, () -> count("SELECT count() FROM durable.GatewayAnalytics WHERE status_code = 200") >= served,
                "the spooled rows arrive after the restart");
        assertEquals(served, count("SELECT count() FROM durable.GatewayAnalytics FINAL WHERE status_code = 200"),
                "one row per answered request, each once");
        assertTrue(count("SELECT count() FROM durable.GatewayAnalytics FINAL") >= answered.get(),
                "every answered request has its row");
    }
}
