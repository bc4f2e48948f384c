package dev.budgateway.analytics.clickhouse;

import dev.budgateway.analytics.ObservabilitySettings;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@code GatewayAnalytics} row for every finished request and a {@code ModelInference} row for each of its
 * upstream attempts, off the request path: the rows are made on the exchange's loop and queued; one thread of its
 * own batches the queue ({@code batch_rows}, or what {@code flush_interval_ms} gathered) into one insert per table.
 * A batch ClickHouse does not take goes to the disk {@link Spool}, and so does every batch after it until the spool
 * is replayed, oldest first, once ClickHouse answers again (probed with backoff), at start too. Rows are dropped only
 * when the spool is full (or the queue, should the disk be slower than the requests), counted and logged. At
 * shutdown what is queued is inserted or spooled.
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
    private final Counter spooled;
    private final Counter replayed;
    private final Spool spool;
    private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE / 2);
    private final ObservabilitySettings observability;
    /** The tables written, by name, as the server has them once migrated; {@code null} before. */
    private volatile Map<String, TableShape> tables;
    private volatile Map<String, String> columns;
    private volatile DependencyState state = DependencyState.DOWN;
    private volatile boolean closing;

    private AnalyticsWriter(ClickHouseSettings settings, ObservabilitySettings observability, MeterRegistry registry,
            Clock clock) {
        this.settings = settings;
        this.observability = observability;
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
        this.spooled = Counter.builder("analytics.rows.spooled")
                .description("GatewayAnalytics rows written to the disk spool while ClickHouse was away").register(registry);
        this.replayed = Counter.builder("analytics.rows.replayed")
                .description("GatewayAnalytics rows inserted from the disk spool").register(registry);
        Spool s = null;
        try {
            s = new Spool(settings.spool(), settings.spoolMaxBytes());
        } catch (java.io.IOException | RuntimeException e) {
            logger.warn("The analytics spool at {} cannot be used ({}): rows that cannot be inserted are dropped",
                    settings.spool(), e.getMessage());
        }
        this.spool = s;
        Gauge.builder("analytics.spool.bytes", this, w -> w.spool == null ? 0 : w.spool.bytes())
                .description("Bytes of GatewayAnalytics rows in the disk spool").register(registry);
        Gauge.builder("analytics.rows.queued", queue, BlockingQueue::size)
                .description("GatewayAnalytics rows waiting for their insert").register(registry);
        this.thread = new Thread(this::run, "clickhouse-writer");
        this.thread.setDaemon(true);
    }

    /** Starts the writer; it creates or migrates the tables first, retrying while ClickHouse is away. */
    public static AnalyticsWriter start(ClickHouseSettings settings, ObservabilitySettings observability,
            MeterRegistry registry) {
        AnalyticsWriter w = new AnalyticsWriter(settings, observability, registry, Clock.systemUTC());
        w.thread.start();
        return w;
    }

    /** {@code ok} while inserts go through; {@code degraded} while rows wait for ClickHouse; {@code down} before. */
    public DependencyState state() {
        return state;
    }

    @Override
    public void onFinished(FinishedExchange finished) {
        if (settings.requestRows()) {
            queue(finished, -1);
        }
        if (settings.inferenceRows()) {
            for (int i = 0; i < finished.attempts().size(); i++) {
                queue(finished, i);
            }
        }
    }

    /** Queues the request's row ({@code attempt} -1) or an attempt's. */
    private void queue(FinishedExchange finished, int attempt) {
        String row;
        try {
            row = attempt < 0 ? AnalyticsRow.of(finished, observability)
                    : InferenceRow.of(finished, attempt, observability);
        } catch (RuntimeException e) {
            dropped.increment();
            logger.warn("An analytics row could not be made ({}): dropped", e.getClass().getSimpleName());
            return;
        }
        if (!queue.offer(row)) {
            drop(1, settings.queueRows() + " rows are queued already (queue_rows)");
        }
    }

    private void run() {
        List<String> batch = new ArrayList<>(settings.batchRows());
        long backoff = 500;
        long retryAt = System.nanoTime();
        while (true) {
            try {
                boolean due = System.nanoTime() - retryAt >= 0;
                if (tables == null && due) {
                    migrate();
                }
                if (tables != null && due && spool != null && !spool.isEmpty()) {
                    replayOldest(); // what waited goes first, so rows arrive in order
                    backoff = 500;
                    continue;
                }
                if (closing && queue.isEmpty()) {
                    return;
                }
                fill(batch);
                if (batch.isEmpty()) {
                    continue;
                }
                if (tables != null && (spool == null || spool.isEmpty()) && due) {
                    insert(batch);
                    written.increment(batch.size());
                    state = DependencyState.OK;
                    backoff = 500;
                } else {
                    park(batch);
                }
                batch.clear();
            } catch (InterruptedException e) {
                park(batch);
                return;
            } catch (Exception e) {
                failedInserts.increment();
                state = tables == null ? DependencyState.DOWN : DependencyState.DEGRADED;
                logger.warn("Analytics wait for ClickHouse ({}); the spool holds {} KB, retrying in {} ms",
                        e.getMessage(), spool == null ? 0 : spool.bytes() / 1024, backoff);
                park(batch);
                batch.clear();
                retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    private void migrate() throws Exception {
        Dialect d = Dialect.of(http.version());
        Map<String, TableShape> shapes = new LinkedHashMap<>();
        Map<String, String> lists = new HashMap<>();
        // Both tables, whichever rows are on: a spool written under other settings may hold either.
        for (String name : List.of(Schema.ANALYTICS, Schema.INFERENCES)) {
            TableShape shape = new TableShape(Schema.migrate(http, settings, d, name));
            Schema.dropExpired(http, settings, d, name);
            lists.put(name, shape.columnList(Schema.columns(name, d).keySet()));
            shapes.put(name, shape);
        }
        columns = lists;
        tables = shapes;
        logger.info("Analytics go to ClickHouse at {} ({} tables)", settings, d.modern() ? "current" : "legacy");
    }

    private void replayOldest() throws Exception {
        java.nio.file.Path segment = spool.oldest();
        if (segment == null) {
            return;
        }
        List<String> rows = Spool.read(segment);
        insert(rows);
        spool.remove(segment);
        written.increment(rows.size());
        replayed.increment(rows.size());
        state = spool.isEmpty() ? DependencyState.OK : DependencyState.DEGRADED;
    }

    /** Puts a batch that cannot be inserted now in the spool; drops it, counted, when the spool is full or unusable. */
    private void park(List<String> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            if (spool != null && spool.append(batch)) {
                spooled.increment(batch.size());
                return;
            }
        } catch (java.io.IOException e) {
            logger.warn("The analytics spool cannot be written ({})", e.getClass().getSimpleName());
        }
        drop(batch.size(), "the spool is full (spool_max_mb) or cannot be written");
    }

    private void drop(int rows, String why) {
        dropped.increment(rows);
        long now = clock.millis();
        long last = lastDropLog.get();
        if (now - last >= LOG_EVERY_MS && lastDropLog.compareAndSet(last, now)) {
            logger.warn("Analytics rows are being dropped: {}", why);
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

    /**
     * One insert per table, request rows first. Should the second fail, the whole batch is sent again later, as it
     * was: a current server drops the first table's block it has seen ({@link Dialect#dedupSettings()}); an old one
     * keeps it until merged, one row per id.
     */
    private void insert(List<String> batch) throws Exception {
        ByteArrayOutputStream requests = new ByteArrayOutputStream(batch.size() * 900);
        ByteArrayOutputStream inferences = new ByteArrayOutputStream();
        for (String row : batch) {
            boolean inference = row.startsWith(InferenceRow.PREFIX);
            String json = inference ? row.substring(InferenceRow.PREFIX.length()) : row;
            ByteArrayOutputStream to = inference ? inferences : requests;
            to.write(tables.get(inference ? Schema.INFERENCES : Schema.ANALYTICS).adapt(json)
                    .getBytes(StandardCharsets.UTF_8));
            to.write('\n');
        }
        if (requests.size() > 0) {
            http.insert(Schema.ANALYTICS, columns.get(Schema.ANALYTICS), requests.toByteArray());
        }
        if (inferences.size() > 0) {
            http.insert(Schema.INFERENCES, columns.get(Schema.INFERENCES), inferences.toByteArray());
        }
    }

    /** Inserts or spools what is queued (the thread gets 10 s, then its rows are spooled), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt(); // its batch in hand goes to the spool as it stops
            try {
                thread.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> rest = new ArrayList<>();
        queue.drainTo(rest);
        park(rest);
        if (spool != null) {
            spool.close();
        }
    }
}
