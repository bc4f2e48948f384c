package dev.budgateway.plugins.runtime.testing;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.Terminal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Scripted upstreams for {@link ChainHarness}: what each attempt's provider call answers. */
public final class Upstreams {

    private Upstreams() {}

    /** Every attempt gets this JSON body, 200. */
    public static Terminal unary(String json) {
        return exchange -> CompletableFuture.completedFuture(Response.unary(200,
                Chunk.unary(json.getBytes(StandardCharsets.UTF_8))));
    }

    /** Every attempt streams a chat answer of these pieces: a role chunk, one chunk each, a finish chunk. */
    public static Terminal stream(String... pieces) {
        return exchange -> CompletableFuture.completedFuture(new Response(new ResponseHead(200, true),
                ChunkStream.of(chatChunks(pieces, true), null)));
    }

    /** As {@link #stream}, counting in {@code pauses} each time the consumer paused the stream. */
    public static Terminal stream(java.util.concurrent.atomic.AtomicInteger pauses, String... pieces) {
        return exchange -> CompletableFuture.completedFuture(new Response(new ResponseHead(200, true),
                counting(ChunkStream.of(chatChunks(pieces, true), null), pauses)));
    }

    /** Every attempt streams these pieces without a finish chunk, then ends cleanly. */
    public static Terminal streamThenEnd(String... pieces) {
        return exchange -> CompletableFuture.completedFuture(new Response(new ResponseHead(200, true),
                ChunkStream.of(chatChunks(pieces, false), null)));
    }

    /** Every attempt streams these pieces (no finish) and then fails with {@code error}. */
    public static Terminal streamThenFail(GatewayError error, String... pieces) {
        return exchange -> CompletableFuture.completedFuture(new Response(new ResponseHead(200, true),
                ChunkStream.of(chatChunks(pieces, false), error)));
    }

    /** Every attempt fails with {@code error} before any response. */
    public static Terminal failing(GatewayError error) {
        return exchange -> CompletableFuture.failedFuture(error.toException());
    }

    /** Each attempt is answered by the script of its target's provider; an unknown provider fails with 502. */
    public static Terminal byProvider(Map<String, Terminal> scripts) {
        return exchange -> {
            RouteTarget target = exchange.get(Keys.ATTEMPT_TARGET);
            Terminal script = target == null ? null : scripts.get(target.provider());
            return script != null ? script.call(exchange) : CompletableFuture.failedFuture(
                    GatewayError.badGateway("no script for " + target).toException());
        };
    }

    /** {@code stream}, counting in {@code pauses} each time its consumer pauses it. */
    private static ChunkStream counting(ChunkStream stream, java.util.concurrent.atomic.AtomicInteger pauses) {
        return new ChunkStream() {
            @Override
            public void subscribe(ChunkSubscriber subscriber) {
                stream.subscribe(subscriber);
            }

            @Override
            public void cancel() {
                stream.cancel();
            }

            @Override
            public void pause() {
                pauses.incrementAndGet();
                stream.pause();
            }

            @Override
            public void resume() {
                stream.resume();
            }
        };
    }

    /** A chat stream's chunks as OpenAI sends them. */
    public static List<Chunk> chatChunks(String[] pieces, boolean finish) {
        List<Chunk> out = new ArrayList<>();
        out.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        for (String p : pieces) {
            out.add(chunk("{\"content\":" + Json.string(TextNode.valueOf(p)) + "}", null));
        }
        if (finish) {
            out.add(chunk("{}", "stop"));
        }
        return out;
    }

    private static Chunk chunk(String delta, String finish) {
        return Chunk.event(("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}").getBytes(StandardCharsets.UTF_8));
    }
}
