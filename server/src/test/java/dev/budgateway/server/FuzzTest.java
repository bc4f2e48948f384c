package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bounded mutation fuzzer against a real gateway and upstream: a few thousand requests made from valid
 * ones by flipping, cutting and inserting bytes and by swapping JSON values for other types. Whatever
 * comes in, the gateway answers within 10 s, with no 5xx of its own (only an upstream's 502 or 504), no
 * Java class name in any body, and nothing left in flight. The seed is fixed, so a failure replays.
 */
class FuzzTest {

    static final int REQUESTS = 3_000;
    static final long SEED = 20261201L;
    static final Pattern CLASS_NAME = Pattern.compile("\\b[A-Z][A-Za-z]+(Exception|Error)\\b|\\bjava\\.|\\bio\\.netty");
    static final String[][] SEEDS = {
        {"/v1/chat/completions", "application/json", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\"}],\"max_tokens\":10,\"temperature\":0.5}"},
        {"/v1/chat/completions", "application/json", "{\"model\":\"m\",\"stream\":true,\"stream_options\":"
                + "{\"include_usage\":true},\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":"
                + "\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"image_url\",\"image_url\":"
                + "{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}}]}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]}"},
        {"/v1/messages", "application/json", "{\"model\":\"m\",\"max_tokens\":100,\"system\":[{\"type\":\"text\","
                + "\"text\":\"s\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"tool_result\",\"tool_use_id\":\"t\","
                + "\"content\":\"r\"}]},{\"role\":\"system\",\"content\":\"x\"}],\"stream\":true}"},
        {"/v1/messages/count_tokens", "application/json", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"count me\"}]}"},
        {"/v1/embeddings", "application/json", "{\"model\":\"d\",\"input\":[\"a\",\"b\"]}"},
        {"/v1/completions", "application/json", "{\"model\":\"d\",\"prompt\":\"once\",\"stream\":true}"},
        {"/v1/audio/transcriptions", "multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; "
                + "name=\"model\"\r\n\r\nm\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                + "filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFFxxxxWAVE\r\n--XyZ--\r\n"},
    };
    static final String[] ODD_VALUES = {"null", "[]", "{}", "[1]", "\"\"", "-1", "1e309", "18446744073709551617",
        "\"\\u0000\\r\\n\"", "true", "\"dummy::a\\r\\nb\"", "{\"a\":{\"b\":{\"c\":[[[[[]]]]]}}}",
        "\"" + "w".repeat(5000) + "\""};

    static MockOpenAi upstream;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        gw = TestGateway.start(TestGateway.mockModel(upstream).replace("[models.mock", "[models.m")
                + "[models.d]\nrouting = [\"x\"]\n[models.d.providers.x]\ntype = \"dummy\"\nmodel_name = \"echo\"\n");
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    @Test
    void mutatedRequestsNeverBreakTheGateway() throws Exception {
        Random random = new Random(SEED);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Semaphore parallel = new Semaphore(16);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String[] seed = SEEDS[random.nextInt(SEEDS.length)];
            byte[] body = mutate(seed[2], random);
            String type = random.nextInt(20) == 0 ? "text/plain" : seed[1];
            String path = seed[0];
            parallel.acquire();
            HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl + path)).timeout(Duration.ofSeconds(10))
                    .header("content-type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            String label = path + " " + new String(body, 0, Math.min(body.length, 300), StandardCharsets.ISO_8859_1);
            all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((res, t) -> {
                parallel.release();
                if (t != null) {
                    failures.add("no answer within 10 s (" + t.getClass().getSimpleName() + "): " + label);
                    return;
                }
                int s = res.statusCode();
                statuses.computeIfAbsent(s, k -> new LongAdder()).increment();
                if (s >= 500 && s != 502 && s != 504) {
                    failures.add(s + " " + res.body() + " for " + label);
                }
                if (CLASS_NAME.matcher(res.body()).find()) {
                    failures.add("a class name in: " + res.body() + " for " + label);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, t) -> null).get(120,
                TimeUnit.SECONDS);
        assertTrue(failures.isEmpty(), failures.size() + " failures, e.g. " + failures.stream().limit(5).toList());
        // The mutations reach every layer: some are refused, some go through the chain to the upstream.
        assertTrue(statuses.containsKey(200) && statuses.get(200).sum() > REQUESTS / 20, statuses.toString());
        assertTrue(statuses.containsKey(400) && statuses.get(400).sum() > REQUESTS / 5, statuses.toString());
        System.out.println("FuzzTest statuses: " + new TreeMap<>(statuses));
        assertEquals(200, gw.get("/health").statusCode(), "alive");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long inFlight;
        do {
            inFlight = 0;
            for (JsonNode u : Json.parse(gw.get("/admin/upstreams").body().getBytes(StandardCharsets.UTF_8))
                    .path("upstreams")) {
                inFlight += u.path("in_flight").asLong();
            }
        } while (inFlight != 0 && System.nanoTime() < deadline && sleep());
        assertEquals(0, inFlight, "every replica slot given back");
    }

    private static boolean sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** One to three mutations of {@code seed}: JSON values swapped, bytes flipped, cut, inserted or doubled. */
    static byte[] mutate(String seed, Random random) {
        String s = seed;
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            switch (random.nextInt(6)) {
                case 0 -> s = swapValue(s, random);
                case 1 -> {
                    char[] c = s.toCharArray();
                    int at = random.nextInt(c.length);
                    c[at] = (char) random.nextInt(random.nextBoolean() ? 128 : 0x3000);
                    s = new String(c);
                }
                case 2 -> s = s.substring(0, random.nextInt(s.length()));
                case 3 -> {
                    int at = random.nextInt(s.length() + 1);
                    String insert = ODD_VALUES[random.nextInt(ODD_VALUES.length)];
                    s = s.substring(0, at) + insert + s.substring(at);
                }
                case 4 -> s = s.replace("\"m\"", random.nextBoolean() ? "\"dummy::x\\u0000\"" : "\"nope\"");
                default -> {
                    int at = random.nextInt(s.length());
                    int end = Math.min(s.length(), at + 1 + random.nextInt(40));
                    s = s.substring(0, end) + s.substring(at);
                }
            }
            if (s.isEmpty()) {
                s = "{";
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces the value after a random {@code ":"} with an odd one. */
    private static String swapValue(String s, Random random) {
        List<Integer> colons = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ':' && i > 0 && s.charAt(i - 1) == '"') {
                colons.add(i);
            }
        }
        if (colons.isEmpty()) {
            return s;
        }
        int at = colons.get(random.nextInt(colons.size())) + 1;
        int end = at;
        int depth = 0;
        boolean inString = false;
        for (; end < s.length(); end++) {
            char c = s.charAt(end);
            if (inString) {
                if (c == '\\') {
                    end++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        end++;
                        break;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    break;
                }
                depth--;
                if (depth == 0) {
                    end++;
                    break;
                }
            } else if (c == ',' && depth == 0) {
                break;
            }
        }
        return s.substring(0, at) + ODD_VALUES[random.nextInt(ODD_VALUES.length)] + s.substring(Math.min(end,
                s.length()));
    }
}
