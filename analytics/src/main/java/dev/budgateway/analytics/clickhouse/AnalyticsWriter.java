package dev.budgateway.analytics.clickhouse;

import dev.budgateway.plugins.spi.CompletionSink;
import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.FinishedExchange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@code GatewayAnalytics} row for every finished request, off the request path: the row is made on the
 * exchange's loop and queued; one thread of its own batches the queue ({@code batch_rows}, or what
 * {@code flush_interval_ms} gathered) into one insert. While ClickHouse is away the batch is retried with backoff
 * and rows wait in the queue (up to {@code queue_rows}); past that they are dropped, counted and logged. At
 * shutdown what is queued is written, for up to 10 s.
 */
public final class AnalyticsWriter implements CompletionSink, AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(AnalyticsWriter.class);
    private static final long LOG_EVERY_MS = 10_000;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long CLOSE_WAIT_MS = 10_000;

    private final ClickHouseSettings settings;
    private final ClickHouseHttp http;
    private final Clock clock;
    private final BlockingQueue<String> queue;
    private final Thread thread;
    private final Counter written;
    private final Counter dropped;
    private final Counter failedInserts;
    private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile TableShape table;
    private volatile String columns;
    private volatile DependencyState state = DependencyState.DOWN;
    private volatile boolean closing;

    private AnalyticsWriter(ClickHouseSettings settings, MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = new ClickHouseHttp(settings, Duration.ofSeconds(10));
        this.queue = new ArrayBlockingQueue<>(settings.queueRows());
        this.written = Counter.builder("analytics.rows.written").description("GatewayAnalytics rows inserted")
                .register(registry);
        this.dropped = Counter.builder("analytics.rows.dropped")
                .description("GatewayAnalytics rows dropped: the queue was full while ClickHouse was away")
                .register(registry);
        this.failedInserts = Counter.builder("analytics.inserts.failed")
                .description("Inserts ClickHouse did not take (retried)").register(registry);
        Gauge.builder("analytics.rows.queued", queue, BlockingQueue::size)
                .description("GatewayAnalytics rows waiting for their insert").register(registry);
        this.thread = new Thread(this::run, "clickhouse-writer");
        this.thread.setDaemon(true);
    }

    /** Starts the writer; it creates or migrates the tables first, retrying while ClickHouse is away. */
    public static AnalyticsWriter start(ClickHouseSettings settings, MeterRegistry registry) {
        AnalyticsWriter w = new AnalyticsWriter(settings, registry, Clock.systemUTC());
        w.thread.start();
        return w;
    }

    /** {@code ok} while inserts go through; {@code degraded} while rows wait for ClickHouse; {@code down} before. */
    public DependencyState state() {
        return state;
    }

    @Override
    public void onFinished(FinishedExchange finished) {
        String row;
        try {
            row = AnalyticsRow.of(finished, clock.instant());
        } catch (RuntimeException e) {
            dropped.increment();
            logger.warn("An analytics row could not be made ({}): dropped", e.getClass().getSimpleName());
            return;
        }
        if (!queue.offer(row)) {
            dropped.increment();
            long now = clock.millis();
            long last = lastDropLog.get();
            if (now - last >= LOG_EVERY_MS && lastDropLog.compareAndSet(last, now)) {
                logger.warn("Analytics rows are being dropped: {} wait for ClickHouse already (queue_rows)",
                        settings.queueRows());
            }
        }
    }

    private void run() {
        long backoff = 500;
        while (table == null && !closing) {
            try {
                Dialect d = Dialect.of(http.version());
                TableShape shape = new TableShape(Schema.migrate(http, settings, d));
                Schema.dropExpired(http, settings, d);
                columns = shape.columnList(Schema.columns(d).keySet());
                table = shape;
                logger.info("Analytics go to ClickHouse at {} ({} tables)", settings, d.modern() ? "current" : "legacy");
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                state = DependencyState.DOWN;
                logger.warn("ClickHouse tables cannot be made yet ({}); retrying in {} ms", e.getMessage(), backoff);
                if (!sleep(backoff)) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
        List<String> batch = new ArrayList<>(settings.batchRows());
        backoff = 500;
        while (true) {
            try {
                if (batch.isEmpty()) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    fill(batch);
                    if (batch.isEmpty()) {
                        continue;
                    }
                }
                insert(batch);
                written.increment(batch.size());
                batch.clear();
                state = DependencyState.OK;
                backoff = 500;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failedInserts.increment();
                state = DependencyState.DEGRADED;
                logger.warn("{} analytics rows wait for ClickHouse ({}); retrying in {} ms", batch.size() + queue.size(),
                        e.getMessage(), backoff);
                if (closing || !sleep(backoff)) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /** Takes up to a batch: what comes within the flush interval of the first row. */
    private void fill(List<String> batch) throws InterruptedException {
        String first = queue.poll(closing ? 0 : settings.flushIntervalMs(), TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.flushIntervalMs());
        while (batch.size() < settings.batchRows()) {
            long left = deadline - System.nanoTime();
            String next = closing ? queue.poll() : queue.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, settings.batchRows() - batch.size());
        }
    }

    private void insert(List<String> batch) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream(batch.size() * 900);
        for (String row : batch) {
            body.write(table.adapt(row).getBytes(StandardCharsets.UTF_8));
            body.write('\n');
        }
        http.insert(Schema.ANALYTICS, columns, body.toByteArray());
    }

    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Writes what is queued (up to 10 s), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            logger.warn("{} analytics rows were not written before shutdown", queue.size());
        }
    }
}
