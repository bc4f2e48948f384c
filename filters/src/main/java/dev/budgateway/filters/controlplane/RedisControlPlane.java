package dev.budgateway.filters.controlplane;

import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.FilterMetrics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ControlPlane} over one Lettuce client: a command connection for {@code SCAN}/{@code MGET}/
 * {@code GET} and a pub/sub connection for the keyspace events. Everything that changes the mirror runs on
 * one thread of its own, in arrival order, so a {@code GET} answered after a later {@code del} cannot bring a
 * deleted record back: each key remembers the sequence number of its newest event, and an answer for an
 * older one is dropped.
 *
 * <p>A Redis that is away at start does not stop the gateway: connecting is retried with backoff, and
 * filters work from what they have (nothing, until the first load). Lettuce reconnects a lost connection by
 * itself; once both connections are back, the whole mirror is read again.
 */
public final class RedisControlPlane implements ControlPlane {

    private static final Logger logger = LoggerFactory.getLogger(RedisControlPlane.class);
    private static final int SCAN_BATCH = 1000;
    private static final long FIRST_RETRY_MS = 200;
    private static final long MAX_RETRY_MS = 5_000;
    /** Without notifications, the copy is only as fresh as this. */
    private static final long RESCAN_WITHOUT_NOTIFICATIONS_MS = 5_000;
    /** The events that change a record: SET (string commands, {@code $}), DEL ({@code g}), expiry, eviction. */
    private static final String NEEDED_FLAGS = "E$gxe";

    /** One {@link #watch} call; compared by identity (its key set changes). */
    private static final class Watch {
        final String pattern;
        final String prefix;
        final RecordListener listener;
        final Set<String> keys = ConcurrentHashMap.newKeySet();

        Watch(String pattern, String prefix, RecordListener listener) {
            this.pattern = pattern;
            this.prefix = prefix;
            this.listener = listener;
        }

        boolean matches(String key) {
            return prefix != null ? key.startsWith(prefix) : key.equals(pattern);
        }
    }

    private final RedisSettings settings;
    private final ScheduledExecutorService mirror;
    private final ClientResources resources;
    private final RedisClient client;
    private final LoopConnections loopConnections;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final FilterMetrics.Counter rejected;
    private final FilterMetrics.Counter rescans;
    /** The sequence number of each key's newest event not yet settled by a scan (mirror thread only). */
    private final Map<String, Long> lastEvent = new ConcurrentHashMap<>();
    /** Keys whose changes are being gathered for one read ({@link RecordListener#coalesceMs}; mirror thread only). */
    private final Set<String> rereading = new HashSet<>();
    private long eventSeq;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean commandsUp;
    private volatile boolean pubsubUp;
    private volatile boolean loaded;
    private volatile boolean notifications = true;
    private volatile boolean closed;
    private boolean scanning;
    private boolean scanAgain;
    private long retryMs = FIRST_RETRY_MS;

    /** Commands from every thread take the mirror's connection. */
    public RedisControlPlane(RedisSettings settings, FilterMetrics metrics) {
        this(settings, metrics, null, null);
    }

    /**
     * Commands sent from one of {@code requestLoops} take a connection of that loop's own, registered on it with
     * {@code channelType} (the transport the loops were made for).
     */
    public RedisControlPlane(RedisSettings settings, FilterMetrics metrics, EventLoopGroup requestLoops,
            Class<? extends Channel> channelType) {
        this.settings = settings;
        this.mirror = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "control-plane-mirror");
            t.setDaemon(true);
            return t;
        });
        // No latency recorder: it would keep a histogram per command type, updated on every command, that nothing
        // reads.
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(5), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        ClientOptions options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(settings.connectTimeoutMs()))
                        .keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(10)))
                .build();
        client.setOptions(options);
        this.loopConnections = new LoopConnections(requestLoops, channelType, settings.uri(), resources, options);
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                onMirror(() -> connected(connection));
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                onMirror(() -> disconnected(connection));
            }
        });
        this.rejected = metrics.counter("control_plane.rejected", "Control-plane records skipped as malformed");
        this.rescans = metrics.counter("control_plane.scans", "Full reads of the control-plane records from Redis");
        metrics.gauge("control_plane.connected", "1 while the gateway is connected to Redis",
                () -> commandsUp && pubsubUp ? 1 : 0);
        metrics.gauge("control_plane.loaded", "1 once the control-plane records have been read at least once",
                () -> loaded ? 1 : 0);
    }

    /** Runs {@code task} on the mirror's thread, unless the mirror is closed; a failure is logged, never lost. */
    private void onMirror(Runnable task) {
        if (closed) {
            return;
        }
        try {
            mirror.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    logger.warn("Control-plane mirror task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing.
        }
    }

    /** Connects in the background; returns at once. */
    public RedisControlPlane start() {
        onMirror(this::connect);
        return this;
    }

    @Override
    public void watch(String pattern, RecordListener listener) {
        boolean prefix = pattern.endsWith("*");
        if (pattern.indexOf('*') != pattern.length() - 1 && pattern.indexOf('*') >= 0) {
            throw new IllegalArgumentException("a watch is a prefix ending in * or one exact key: " + pattern);
        }
        watches.add(new Watch(pattern, prefix ? pattern.substring(0, pattern.length() - 1) : null, listener));
        if (loaded) {
            onMirror(this::rescan);
        }
    }

    @Override
    public DependencyState state() {
        if (!loaded) {
            return DependencyState.DOWN;
        }
        return commandsUp && pubsubUp && notifications ? DependencyState.OK : DependencyState.DEGRADED;
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    @Override
    public Optional<RedisAsyncCommands<String, String>> commands() {
        StatefulRedisConnection<String, String> c = loopConnections.current();
        if (c == null) {
            c = commands;
        }
        return c == null ? Optional.empty() : Optional.of(c.async());
    }

    /**
     * Timed on the calling request loop when there is one: a task in its queue, no thread of its own to wake. The
     * loop also reads the reply, so when the time is up the reply may be waiting in the socket, unread because the
     * loop was busy (a long batch of requests, a collection): the wait then ends only after the loop's next pass
     * over its sockets (a task scheduled from a task runs after it), so that a busy gateway is not taken for a
     * slow Redis and its limits do not turn inexact under load.
     */
    @Override
    public <T> CompletableFuture<T> within(CompletionStage<T> reply, long timeoutMs) {
        EventLoop loop = loopConnections.currentLoop();
        if (loop == null) {
            return ControlPlane.super.within(reply, timeoutMs);
        }
        CompletableFuture<T> out = reply.toCompletableFuture();
        Runnable late = () -> out.completeExceptionally(new TimeoutException());
        ScheduledFuture<?> timer = loop.schedule(() -> {
            if (!out.isDone()) {
                loop.schedule(late, 0, TimeUnit.NANOSECONDS);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        out.whenComplete((value, failure) -> timer.cancel(false));
        return out;
    }

    private void connect() {
        if (closed) {
            return;
        }
        CompletableFuture<StatefulRedisConnection<String, String>> c = client.connectAsync(StringCodec.UTF8,
                settings.uri()).toCompletableFuture();
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> p = client.connectPubSubAsync(
                StringCodec.UTF8, settings.uri()).toCompletableFuture();
        CompletableFuture<Void> l = loopConnections.open();
        CompletableFuture.allOf(c, p, l).whenCompleteAsync((ignored, failure) -> {
            if (failure != null) {
                c.thenAccept(StatefulRedisConnection::closeAsync);
                p.thenAccept(StatefulRedisPubSubConnection::closeAsync);
                if (retryMs == FIRST_RETRY_MS) {
                    logger.warn("Redis at {} is not reachable ({}); retrying in the background, and the filters "
                            + "that read the control plane work from what they have meanwhile", settings.where(),
                            brief(failure));
                }
                mirror.schedule(this::connect, retryMs, TimeUnit.MILLISECONDS);
                retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
                return;
            }
            if (closed) {
                c.join().closeAsync();
                p.join().closeAsync();
                return;
            }
            commands = c.join();
            pubsub = p.join();
            commandsUp = true;
            pubsubUp = true;
            logger.info("Connected to Redis at {}", settings.where());
            subscribe().whenCompleteAsync((ok, subscribeFailure) -> {
                if (subscribeFailure != null) {
                    logger.warn("Subscribing to Redis keyspace events failed ({}): the copy is refreshed by "
                            + "re-reading it every {} s", brief(subscribeFailure), RESCAN_WITHOUT_NOTIFICATIONS_MS / 1000);
                    notifications = false;
                }
                rescan();
                schedulePeriodicRescan();
            }, mirror);
        }, mirror);
    }

    /** Turns on the events the mirror needs (if allowed) and subscribes to them. */
    private CompletionStage<Void> subscribe() {
        int db = settings.uri().getDatabase();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String key) {
                String event = channel.substring(channel.lastIndexOf(':') + 1);
                onMirror(() -> onEvent(event, key));
            }
        });
        return ensureFlags().thenCompose(ok -> pubsub.async().psubscribe("__keyevent@" + db + "__:set",
                "__keyevent@" + db + "__:del", "__keyevent@" + db + "__:expired", "__keyevent@" + db + "__:evicted")
                .thenAccept(n -> {}));
    }

    /**
     * Makes sure Redis publishes the events the mirror needs; again after each reconnect, since a restarted or
     * failed-over Redis may have lost a setting made with CONFIG SET.
     */
    private CompletionStage<Void> ensureFlags() {
        return commands.async().configGet("notify-keyspace-events")
                .thenCompose(current -> {
                    String have = current.getOrDefault("notify-keyspace-events", "");
                    String missing = missingFlags(have);
                    if (missing.isEmpty()) {
                        notifications = true;
                        return CompletableFuture.completedFuture(null);
                    }
                    if (!settings.configureNotifications()) {
                        return CompletableFuture.failedFuture(new IllegalStateException(
                                "notify-keyspace-events is '" + have + "', which lacks " + missing
                                + ", and [redis] configure_notifications = false"));
                    }
                    return commands.async().configSet("notify-keyspace-events", have + missing)
                            .thenAccept(ok -> {
                                notifications = true;
                                logger.info("Set Redis notify-keyspace-events to '{}{}' (was '{}')", have, missing,
                                        have);
                            });
                });
    }

    /** The flags of {@link #NEEDED_FLAGS} that {@code have} lacks ({@code A} stands for all the class flags). */
    static String missingFlags(String have) {
        StringBuilder missing = new StringBuilder();
        for (char f : NEEDED_FLAGS.toCharArray()) {
            boolean covered = have.indexOf(f) >= 0 || (f != 'E' && f != 'K' && have.indexOf('A') >= 0);
            if (!covered) {
                missing.append(f);
            }
        }
        return missing.toString();
    }

    private void schedulePeriodicRescan() {
        long every = notifications ? settings.rescanIntervalMs()
                : Math.min(settings.rescanIntervalMs(), RESCAN_WITHOUT_NOTIFICATIONS_MS);
        mirror.schedule(() -> {
            if (closed) {
                return;
            }
            if (commandsUp) {
                rescan();
            }
            schedulePeriodicRescan();
        }, every, TimeUnit.MILLISECONDS);
    }

    private void connected(RedisChannelHandler<?, ?> connection) {
        boolean wasDown = !(commandsUp && pubsubUp);
        if (connection == commands) {
            commandsUp = true;
        } else if (connection == pubsub) {
            pubsubUp = true;
        } else {
            return; // the first connect, reported before its future completes
        }
        if (wasDown && commandsUp && pubsubUp) {
            logger.info("Reconnected to Redis at {}: reading the control-plane records again", settings.where());
            ensureFlags().whenCompleteAsync((ok, failure) -> {
                if (failure != null) {
                    notifications = false;
                    logger.warn("Redis keyspace events are off after the reconnect ({}): the copy is refreshed by "
                            + "re-reading it every {} s", brief(failure), RESCAN_WITHOUT_NOTIFICATIONS_MS / 1000);
                }
                rescan();
            }, mirror);
        }
    }

    private void disconnected(RedisChannelHandler<?, ?> connection) {
        if (closed) {
            return;
        }
        boolean wasUp = commandsUp && pubsubUp;
        if (connection == commands) {
            commandsUp = false;
        } else if (connection == pubsub) {
            pubsubUp = false;
        }
        if (wasUp && !(commandsUp && pubsubUp)) {
            logger.warn("Lost the connection to Redis at {}: serving the control-plane records held in memory "
                    + "until it is back", settings.where());
        }
    }

    private void onEvent(String event, String key) {
        List<Watch> matching = matching(key);
        if (matching.isEmpty()) {
            return;
        }
        long seq = ++eventSeq;
        lastEvent.put(key, seq);
        if (!event.equals("set")) {
            removeEverywhere(matching, key);
            return;
        }
        long coalesce = coalesceMs(matching, key);
        if (coalesce == 0) {
            read(key, matching, seq, false);
        } else if (rereading.add(key)) {
            mirror.schedule(() -> {
                rereading.remove(key);
                Long newest = lastEvent.get(key);
                if (newest != null) { // else a scan begun after the last change has read it
                    read(key, matching(key), newest, true);
                }
            }, coalesce, TimeUnit.MILLISECONDS);
        }
    }

    /** The longest any of {@code matching} lets a change to a record it holds wait; 0 for a record it does not. */
    private static long coalesceMs(List<Watch> matching, String key) {
        long ms = 0;
        for (Watch w : matching) {
            if (!w.keys.contains(key)) {
                return 0;
            }
            ms = Math.max(ms, w.listener.coalesceMs());
        }
        return ms;
    }

    /**
     * Reads {@code key} for the change numbered {@code seq}; a later change's read decides instead. A gathered
     * read's answer is kept even so while the later changes are being gathered too (answers come in order on one
     * connection, so it is older than theirs): a record changed faster than Redis answers would otherwise never be
     * read.
     */
    private void read(String key, List<Watch> matching, long seq, boolean gathered) {
        commands.async().get(key).whenCompleteAsync((value, failure) -> {
            Long newest = lastEvent.get(key);
            if (newest == null || (newest != seq && !(gathered && rereading.contains(key)))) {
                return; // a later event for this key decides
            }
            if (failure != null) {
                // Connection trouble: the re-scan after the reconnect reads it.
                logger.debug("Reading a changed control-plane record failed", failure);
                return;
            }
            if (value == null) {
                removeEverywhere(matching, key);
            } else {
                putEverywhere(matching, key, value);
            }
        }, mirror);
    }

    private List<Watch> matching(String key) {
        List<Watch> out = new ArrayList<>(1);
        for (Watch w : watches) {
            if (w.matches(key)) {
                out.add(w);
            }
        }
        return out;
    }

    private void putEverywhere(List<Watch> matching, String key, String value) {
        for (Watch w : matching) {
            try {
                w.listener.put(key, value);
                w.keys.add(key);
            } catch (RuntimeException e) {
                // The value may hold secrets: only the key and the reason are logged.
                rejected.increment();
                logger.warn("Skipped control-plane record {}: {}", w.listener.describe(key), e.getMessage());
                if (w.keys.remove(key)) {
                    w.listener.remove(key);
                }
            }
        }
    }

    private void removeEverywhere(List<Watch> matching, String key) {
        for (Watch w : matching) {
            if (w.keys.remove(key)) {
                w.listener.remove(key);
            }
        }
    }

    /** Reads every watched pattern whole; what has gone meanwhile is removed (mirror thread). */
    private void rescan() {
        if (closed || commands == null) {
            return;
        }
        if (scanning) {
            scanAgain = true;
            return;
        }
        scanning = true;
        long started = eventSeq;
        long startNanos = System.nanoTime();
        rescans.increment();
        List<Watch> all = List.copyOf(watches);
        Map<Watch, Set<String>> seen = new ConcurrentHashMap<>();
        all.forEach(w -> seen.put(w, new HashSet<>()));
        scanPatterns(all, 0, started, seen).whenCompleteAsync((ok, failure) -> {
            scanning = false;
            if (failure != null) {
                logger.warn("Reading the control-plane records from Redis failed ({}); trying again when it is back",
                        brief(failure));
            } else {
                for (Watch w : all) {
                    for (String key : List.copyOf(w.keys)) {
                        Long newest = lastEvent.get(key);
                        if (!seen.get(w).contains(key) && (newest == null || newest <= started)) {
                            w.keys.remove(key);
                            w.listener.remove(key);
                        }
                    }
                }
                lastEvent.values().removeIf(seq -> seq <= started);
                if (!loaded) {
                    StringBuilder counts = new StringBuilder();
                    all.forEach(w -> counts.append(counts.length() == 0 ? "" : ", ").append(w.keys.size()).append(' ')
                            .append(w.pattern));
                    logger.info("Loaded the control-plane records from Redis in {} ms: {}",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                            counts.length() == 0 ? "nothing watched" : counts);
                }
                loaded = true;
                retryMs = FIRST_RETRY_MS;
            }
            if (scanAgain) {
                scanAgain = false;
                rescan();
            }
        }, mirror);
    }

    private CompletionStage<Void> scanPatterns(List<Watch> all, int index, long started, Map<Watch, Set<String>> seen) {
        if (index == all.size()) {
            return CompletableFuture.completedFuture(null);
        }
        Watch w = all.get(index);
        CompletionStage<Void> one;
        if (w.prefix == null) {
            one = commands.async().get(w.pattern).thenAcceptAsync(value -> {
                if (value != null) {
                    apply(w, w.pattern, value, started, seen.get(w));
                }
            }, mirror);
        } else {
            one = scanFrom(w, ScanCursor.INITIAL, started, seen.get(w));
        }
        return one.thenCompose(ok -> scanPatterns(all, index + 1, started, seen));
    }

    private CompletionStage<Void> scanFrom(Watch w, ScanCursor cursor, long started, Set<String> seen) {
        ScanArgs args = ScanArgs.Builder.matches(w.pattern).limit(SCAN_BATCH);
        return commands.async().scan(cursor, args).thenCompose((KeyScanCursor<String> page) -> {
            CompletionStage<Void> values = page.getKeys().isEmpty() ? CompletableFuture.completedFuture(null)
                    : commands.async().mget(page.getKeys().toArray(new String[0])).thenAcceptAsync(kvs -> {
                        for (KeyValue<String, String> kv : kvs) {
                            if (kv.hasValue()) {
                                apply(w, kv.getKey(), kv.getValue(), started, seen);
                            }
                        }
                    }, mirror);
            // The next page is asked for while this one's records are applied: the load is as fast as the slower.
            return page.isFinished() ? values : values.thenCombine(scanFrom(w, page, started, seen), (x, y) -> null);
        });
    }

    /** A scanned record, unless an event newer than the scan's start has already decided its key. */
    private void apply(Watch w, String key, String value, long started, Set<String> seen) {
        Long newest = lastEvent.get(key);
        if (newest != null && newest > started) {
            seen.add(key);
            return;
        }
        seen.add(key);
        putEverywhere(List.of(w), key, value);
    }

    private static String brief(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause != cause.getCause()) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (commands != null) {
                commands.close();
            }
            if (pubsub != null) {
                pubsub.close();
            }
            loopConnections.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            logger.debug("Closing the Redis client", e);
        }
        mirror.shutdownNow();
    }
}
