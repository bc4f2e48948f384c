package dev.budgateway.filters.controlplane;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One command connection per request event loop, registered on that loop. A filter's command, sent from the
 * loop its request runs on, is written, answered and completed on that thread. On Lettuce's own threads each
 * round trip was two hand-overs (a task queued and a thread woken to write, another to complete), and Lettuce's
 * thread was a fifth of the gateway's CPU samples in the full chain. Commands from any other thread take the
 * mirror's connection.
 */
final class LoopConnections implements AutoCloseable {

    private final RedisURI uri;
    private final EventLoop[] loops;
    private final RedisClient[] clients;
    private final AtomicReferenceArray<StatefulRedisConnection<String, String>> connections;

    /**
     * Nothing when {@code group} is null, when the URI is a Unix socket, or when Lettuce would open a channel of
     * another transport than {@code channelType}, the loops' (it chooses by its own test of what is available, and
     * a channel registers only on a loop of its transport).
     */
    LoopConnections(EventLoopGroup group, Class<? extends Channel> channelType, RedisURI uri, ClientResources shared,
            ClientOptions options) {
        this.uri = uri;
        List<EventLoop> found = new ArrayList<>();
        if (group != null && uri.getSocket() == null && Transports.socketChannelClass() == channelType) {
            for (EventExecutor e : group) {
                if (e instanceof EventLoop loop) {
                    found.add(loop);
                }
            }
        }
        this.loops = found.toArray(new EventLoop[0]);
        this.clients = new RedisClient[this.loops.length];
        this.connections = new AtomicReferenceArray<>(this.loops.length);
        for (int i = 0; i < clients.length; i++) {
            ClientResources own = shared.mutate().eventLoopGroupProvider(new OneLoop(this.loops[i])).build();
            clients[i] = RedisClient.create(own);
            clients[i].setOptions(options);
        }
    }

    /** Opens the connections not open yet; completes when every one is, or fails as the first failed. */
    CompletableFuture<Void> open() {
        List<CompletableFuture<?>> opening = new ArrayList<>(clients.length);
        for (int i = 0; i < clients.length; i++) {
            if (connections.get(i) != null) {
                continue;
            }
            int at = i;
            opening.add(clients[i].connectAsync(StringCodec.UTF8, uri).toCompletableFuture().thenAccept(c -> {
                if (!connections.compareAndSet(at, null, c)) {
                    c.closeAsync();
                }
            }));
        }
        return CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0]));
    }

    /** The connection of the calling thread's loop; null off the loops or before it is open. */
    StatefulRedisConnection<String, String> current() {
        int i = indexOfCurrent();
        return i < 0 ? null : connections.get(i);
    }

    /** The calling thread's loop, or null when it is not one of them. */
    EventLoop currentLoop() {
        int i = indexOfCurrent();
        return i < 0 ? null : loops[i];
    }

    private int indexOfCurrent() {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inEventLoop()) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        for (int i = 0; i < clients.length; i++) {
            StatefulRedisConnection<String, String> c = connections.getAndSet(i, null);
            if (c != null) {
                c.close();
            }
            clients[i].shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Lettuce's only loop for one client: the request loop; never shut down by Lettuce (the gateway owns it). */
    private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {

        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
