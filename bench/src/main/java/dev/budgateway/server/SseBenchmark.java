package dev.budgateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Chunk;
import com.linecorp.armeria.common.HttpData;
import dev.budgateway.providers.http.EventDecoder;
import dev.budgateway.providers.sse.SseDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the gateway does per streamed event of an OpenAI-compatible chat stream nobody's filter reads: decode
 * the SSE bytes, tell whether a choice finished, whether it carries usage (and whether it is the usage-only
 * chunk a client that did not ask for usage must not get), and frame it for the client. Per stream of
 * {@code events} events, cut into {@code packetBytes}-byte packets (0: one event a packet, as an upstream
 * that writes each token as it comes sends them; 100: packets that never hold a whole event; 16384: a
 * stream served as fast as it can be, many events a read).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseBenchmark {

    /** 12 is the short benchmark stream; 450 a real answer of token-sized events. */
    @Param({"12", "450"})
    public int events;

    @Param({"0", "100", "16384"})
    public int packetBytes;

    private final List<byte[]> packets = new ArrayList<>();

    @Setup
    public void setUp() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < events; i++) {
            sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,")
                    .append("\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token").append(i)
                    .append(" \"},\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,")
                .append("\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,")
                .append("\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":")
                .append(events).append("}}\n\n");
        sb.append("data: [DONE]\n\n");
        byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (packetBytes == 0) {
            for (String event : sb.toString().split("(?<=\n\n)")) {
                packets.add(event.getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        for (int i = 0; i < all.length; i += packetBytes) {
            packets.add(Arrays.copyOfRange(all, i, Math.min(all.length, i + packetBytes)));
        }
    }

    /**
     * The gateway's path when nobody reads the events: runs of plain events go on as the packet's bytes,
     * only the finish, the usage and {@code [DONE]} are decoded and answered as in {@link #passThrough}.
     */
    @Benchmark
    public void frames(Blackhole bh) {
        boolean[] finished = {false};
        SseDecoder decoder = new SseDecoder(event -> {
            if (event.isDone()) {
                return;
            }
            Chunk chunk = Chunk.event(event.event(), event.data());
            if (!finished[0] && chunk.hasField("finish_reason") && finishReason(chunk.json())) {
                finished[0] = true;
            }
            if (chunk.hasField("usage")) {
                bh.consume(chunk.usage());
            }
            if (!chunk.isUsageOnly()) {
                bh.consume(SseFrames.event(chunk.eventName(), chunk.data()));
            }
        });
        EventDecoder.Frames frames = (piece, from, to, events) -> {
            Chunk chunk = Chunk.frames(piece, from, to, events);
            bh.consume(HttpData.wrap(chunk.array(), chunk.offset(), chunk.length()));
        };
        for (byte[] p : packets) {
            decoder.feed(p, frames);
        }
        decoder.finish();
        bh.consume(finished[0]);
    }

    /** The gateway's path: the questions answered from the bytes, an event parsed only when one says yes. */
    @Benchmark
    public void passThrough(Blackhole bh) {
        boolean[] finished = {false};
        SseDecoder decoder = new SseDecoder(event -> {
            if (event.isDone()) {
                return;
            }
            Chunk chunk = Chunk.event(event.event(), event.data());
            if (!finished[0] && chunk.hasField("finish_reason") && finishReason(chunk.json())) {
                finished[0] = true;
            }
            if (chunk.hasField("usage")) {
                bh.consume(chunk.usage());
            }
            if (!chunk.isUsageOnly()) {
                bh.consume(SseFrames.event(chunk.eventName(), chunk.data()));
            }
        });
        feed(decoder);
        bh.consume(finished[0]);
    }

    /** The same answers got by parsing every event, as the gateway did before (for comparison). */
    @Benchmark
    public void parsingEveryEvent(Blackhole bh) {
        boolean[] finished = {false};
        SseDecoder decoder = new SseDecoder(event -> {
            if (event.isDone()) {
                return;
            }
            Chunk chunk = Chunk.event(event.event(), event.data());
            if (!finished[0] && finishReason(chunk.json())) {
                finished[0] = true;
            }
            JsonNode usage = chunk.json().get("usage");
            if (usage != null && usage.isObject()) {
                bh.consume(chunk.usage());
            }
            JsonNode choices = chunk.json().path("choices");
            boolean usageOnly = usage != null && usage.isObject() && choices.isEmpty();
            if (!usageOnly) {
                bh.consume(SseFrames.event(chunk.eventName(), chunk.data()));
            }
        });
        feed(decoder);
        bh.consume(finished[0]);
    }

    /** The SSE decoding alone, for what the rest costs beside it. */
    @Benchmark
    public void decodeOnly(Blackhole bh) {
        SseDecoder decoder = new SseDecoder(bh::consume);
        feed(decoder);
    }

    /** What a filter pays when it reads the text of every chunk (lazy JSON parse). */
    @Benchmark
    public void decodeAndReadText(Blackhole bh) {
        SseDecoder decoder = new SseDecoder(event -> {
            if (!event.isDone()) {
                bh.consume(Chunk.event(event.data()).text());
            }
        });
        feed(decoder);
    }

    private void feed(SseDecoder decoder) {
        for (byte[] p : packets) {
            decoder.feed(p);
        }
        decoder.finish();
    }

    private static boolean finishReason(JsonNode json) {
        for (JsonNode choice : json.path("choices")) {
            JsonNode reason = choice.get("finish_reason");
            if (reason != null && !reason.isNull()) {
                return true;
            }
        }
        return false;
    }
}
