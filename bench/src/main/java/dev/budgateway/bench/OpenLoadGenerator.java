package dev.budgateway.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-model load generator: request {@code i} is due at {@code start + i / rate} whether or not
 * earlier ones have been answered, and its latency counts from when it was due, so a stall shows up in
 * the percentiles instead of silently slowing the load (no coordinated omission). HTTP/1.1 with the JDK
 * client's connection pool (as many connections as the concurrency needs, kept alive).
 *
 * <pre>OpenLoadGenerator URL BODY_FILE RATE SECONDS [WARM_UP_SECONDS=5]</pre>
 *
 * The warm-up runs at the same rate and is not recorded: it lets both this JVM and the server compile
 * their hot paths and open their connections. Prints {@code count errors p50 p90 p99 p99.9} of the time
 * to the last byte in ms, then the same percentiles of the time to the response head.
 */
public final class OpenLoadGenerator {

    private OpenLoadGenerator() {}

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int skipped = rate * warmUp;
        int total = rate * (warmUp + seconds);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Runnable::run).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

        long[] last = new long[total];
        long[] head = new long[total];
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(total);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        double periodNanos = 1e9 / rate;
        int[] next = {0};
        // A 200 µs tick issues every request that is due; each is timed from when it was due.
        ticker.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            while (next[0] < total && start + (long) (next[0] * periodNanos) <= now) {
                int i = next[0]++;
                long due = start + (long) (i * periodNanos);
                client.sendAsync(request, info -> {
                    head[i] = System.nanoTime() - due;
                    if (info.statusCode() != 200) {
                        errors.incrementAndGet();
                    }
                    return HttpResponse.BodySubscribers.discarding();
                }).whenComplete((r, t) -> {
                    if (t != null) {
                        errors.incrementAndGet();
                    }
                    last[i] = System.nanoTime() - due;
                    done.countDown();
                });
            }
        }, 0, 200, TimeUnit.MICROSECONDS);
        boolean finished = done.await(warmUp + seconds + 30L, TimeUnit.SECONDS);
        ticker.shutdownNow();
        if (!finished) {
            errors.addAndGet((int) done.getCount());
        }
        long[] measuredLast = Arrays.copyOfRange(last, skipped, total);
        long[] measuredHead = Arrays.copyOfRange(head, skipped, total);
        long count = Arrays.stream(measuredLast).filter(n -> n > 0).count();
        System.out.println(count + " " + errors.get() + " " + percentiles(measuredLast) + " "
                + percentiles(measuredHead));
        System.exit(0);
    }

    private static String percentiles(long[] nanos) {
        long[] sorted = Arrays.stream(nanos).filter(n -> n > 0).sorted().toArray();
        if (sorted.length == 0) {
            return "nan nan nan nan";
        }
        StringBuilder sb = new StringBuilder();
        for (double p : new double[] {0.50, 0.90, 0.99, 0.999}) {
            long v = sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
            sb.append(String.format("%.3f ", v / 1e6));
        }
        return sb.toString().trim();
    }
}
