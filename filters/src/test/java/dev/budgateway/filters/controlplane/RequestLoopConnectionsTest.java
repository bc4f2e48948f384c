package dev.budgateway.filters.controlplane;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.linecorp.armeria.common.util.EventLoopGroups;
import dev.budgateway.plugins.spi.FilterMetrics;
import io.lettuce.core.RedisURI;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Commands sent from a request loop, on that loop's own connection, against a real redis-server. */
class RequestLoopConnectionsTest {

    RedisServer redis;
    EventLoopGroup loops;
    RedisControlPlane mirror;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        loops = EventLoopGroups.newEventLoopGroup(2);
        mirror = new RedisControlPlane(new RedisSettings(RedisURI.create(redis.url()), true, 300_000, 1_000),
                FilterMetrics.NONE, loops, EventLoopGroups.socketChannelType(loops));
        Mirrors.start(mirror);
    }

    @AfterEach
    void stop() throws Exception {
        mirror.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        redis.close();
    }

    /** What {@code CLIENT ID} answers on {@code loop}, and whether that answer completed on {@code loop}. */
    private record Sent(long clientId, boolean answeredOnLoop) {}

    private Sent sendOn(EventLoop loop) throws Exception {
        CompletableFuture<Sent> sent = new CompletableFuture<>();
        loop.execute(() -> mirror.commands().orElseThrow().clientId().whenComplete((id, failure) -> {
            if (failure != null) {
                sent.completeExceptionally(failure);
            } else {
                sent.complete(new Sent(id, loop.inEventLoop()));
            }
        }));
        return sent.get(5, TimeUnit.SECONDS);
    }

    /** Whether a command sent on {@code loop} is answered there now. */
    private boolean answeredOn(EventLoop loop) {
        try {
            return sendOn(loop).answeredOnLoop();
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void eachLoopSendsOnAConnectionOfItsOwnAndIsAnsweredOnItsOwnThread() throws Exception {
        for (var loop : loops) {
            within(5_000, () -> answeredOn((EventLoop) loop), "the loops' connections");
        }
        Set<Long> ids = new HashSet<>();
        for (var executor : loops) {
            EventLoop loop = (EventLoop) executor;
            Sent first = sendOn(loop);
            Sent again = sendOn(loop);
            assertTrue(first.answeredOnLoop() && again.answeredOnLoop(), "completed on the sending loop");
            assertEquals(first.clientId(), again.clientId(), "one connection a loop");
            ids.add(first.clientId());
        }
        assertEquals(2, ids.size(), "a connection for each loop");
        long offLoop = mirror.commands().orElseThrow().clientId().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertFalse(ids.contains(offLoop), "other threads take the mirror's connection");
    }

    @Test
    void aWaitIsTimedOnTheLoopAndEndsThere() throws Exception {
        EventLoop loop = loops.next();
        CompletableFuture<Boolean> endedOnLoop = new CompletableFuture<>();
        long started = System.nanoTime();
        loop.execute(() -> mirror.within(new CompletableFuture<String>(), 50).whenComplete((v, failure) ->
                endedOnLoop.complete(failure instanceof TimeoutException && loop.inEventLoop())));
        assertTrue(endedOnLoop.get(5, TimeUnit.SECONDS), "a TimeoutException, on the loop");
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(50), "not before its time");
    }

    @Test
    void aReplyLeftUnreadWhileTheLoopWasBusyIsNotTakenForASlowRedis() throws Exception {
        EventLoop loop = loops.next();
        within(5_000, () -> answeredOn(loop), "the loop's connection");
        // A channel of another kind on the same loop, whose reads keep the loop busy for 300 ms.
        io.netty.channel.Channel server = new io.netty.bootstrap.ServerBootstrap().group(loop, loop)
                .channel(EventLoopGroups.serverChannelType(loops))
                .childHandler(new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) throws Exception {
                        io.netty.util.ReferenceCountUtil.release(msg);
                        Thread.sleep(300);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        try (java.net.Socket busy = new java.net.Socket("127.0.0.1",
                ((java.net.InetSocketAddress) server.localAddress()).getPort())) {
            redis.freeze();
            CompletableFuture<CompletableFuture<Long>> sent = new CompletableFuture<>();
            loop.execute(() -> sent.complete(mirror.within(mirror.commands().orElseThrow().clientId(), 100)));
            CompletableFuture<Long> reply = sent.get(5, TimeUnit.SECONDS);
            busy.getOutputStream().write(1); // the loop reads it and is busy until 300 ms from now
            Thread.sleep(50);
            redis.thaw(); // Redis answers now, while the loop is busy; the 100 ms are up before the loop is free
            assertTrue(reply.get(5, TimeUnit.SECONDS) > 0, "the answer, not a timeout");
        } finally {
            redis.thaw();
            server.close().sync();
        }
    }

    @Test
    void whileRedisIsDownALoopsCommandsFailAtOnceAndWorkAgainWhenItIsBack() throws Exception {
        EventLoop loop = loops.next();
        within(5_000, () -> answeredOn(loop), "the loop's connection");
        redis.down();
        within(5_000, () -> {
            try {
                sendOn(loop);
                return false;
            } catch (ExecutionException e) {
                return true; // rejected while disconnected, not left waiting
            } catch (Exception e) {
                return false;
            }
        }, "commands refused while Redis is away");
        long t0 = System.nanoTime();
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> sendOn(loop));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "refused at once");
        assertInstanceOf(RuntimeException.class, refused.getCause());
        redis.up();
        within(10_000, () -> answeredOn(loop), "reconnected, on the same loop");
    }
}
