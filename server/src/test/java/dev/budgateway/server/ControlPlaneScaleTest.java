package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.budgateway.filters.controlplane.BudappKeys;
import dev.budgateway.filters.controlplane.RedisServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A control plane of production size: 100,000 API keys and 10,000 model tables in a real Redis, loaded by a
 * gateway at start. The time is printed for docs/performance.md; the bound only catches a regression by an
 * order of magnitude on a slow CI machine.
 */
class ControlPlaneScaleTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();

    @Test
    void aHundredThousandKeysAndTenThousandModelsLoadInSeconds() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String table = BudappKeys.modelTable("EP", a.apiBase(), "upstream", "plain-secret");
            Map<String, String> batch = new HashMap<>();
            for (int i = 0; i < 10_000; i++) {
                batch.put("model_table:ep-" + i, table.replace("EP", "ep-" + i));
                if (batch.size() == 1000) {
                    redis.commands().mset(batch);
                    batch.clear();
                }
            }
            for (int i = 0; i < 100_000; i++) {
                batch.put(BudappKeys.apiKeyRedisKey("bud-key-" + i), BudappKeys.apiKeyRecord("model-" + (i % 10_000),
                        "ep-" + (i % 10_000), "id-" + i));
                if (batch.size() == 1000) {
                    redis.commands().mset(batch);
                    batch.clear();
                }
            }
            long heapBefore = usedHeap();
            long started = System.nanoTime();
            TestGateway gw = fx.start("[redis]\nurl = \"" + redis.url() + "\"\n[[filters]]\ntype = \"auth\"\n"
                    + "[[filters]]\ntype = \"routing\"\n[[filters]]\ntype = \"fallback\"\n");
            var client = OpenAIOkHttpClient.builder().apiKey("bud-key-99999").baseUrl(gw.baseUrl + "/v1")
                    .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
            long deadline = System.currentTimeMillis() + 120_000;
            while (!gw.get("/health").body().contains("\"redis\":\"ok\"") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            String answer = null;
            while (answer == null && System.currentTimeMillis() < deadline) {
                try {
                    answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
                            .model("model-9999").addUserMessage("hi").build()).choices().get(0).message().content()
                            .orElse("");
                } catch (RuntimeException notYet) {
                    Thread.sleep(50);
                }
            }
            System.gc();
            long heapMb = (usedHeap() - heapBefore) / (1024 * 1024);
            System.out.println("control plane at scale: 100000 keys + 10000 model tables loaded after " + ms
                    + " ms; heap held about " + heapMb + " MB");
            assertEquals("from a", answer);
            assertTrue(ms < 60_000, ms + " ms");
            assertEquals("Bearer plain-secret", a.received.get(a.received.size() - 1).authorization(),
                    "without an RSA key the secret is used as written, like the Rust gateway");
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
