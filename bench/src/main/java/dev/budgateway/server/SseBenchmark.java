package dev.budgateway.server;

import com.linecorp.armeria.common.HttpData;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.providers.sse.SseDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** Decoding an upstream SSE stream into chunks and framing them again for the client, per stream of 32 events. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseBenchmark {

    private final List<byte[]> packets = new ArrayList<>();

    @Setup
    public void setUp() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,")
                    .append("\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token").append(i)
                    .append(" \"},\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        sb.append("data: [DONE]\n\n");
        byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
        // Upstream packets rarely align with events: cut every 100 bytes.
        for (int i = 0; i < all.length; i += 100) {
            packets.add(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + 100)));
        }
    }

    @Benchmark
    public void decodeAndReframe(Blackhole bh) {
        SseDecoder decoder = new SseDecoder(event -> {
            if (!event.isDone()) {
                Chunk chunk = Chunk.event(event.data());
                bh.consume(UsageScan.mayHaveUsage(chunk.data()));
                HttpData frame = SseFrames.data(chunk.data());
                bh.consume(frame);
            }
        });
        for (byte[] p : packets) {
            decoder.feed(p);
        }
        decoder.finish();
    }

    /** What a filter pays when it reads the text of every chunk (lazy JSON parse). */
    @Benchmark
    public void decodeAndReadText(Blackhole bh) {
        SseDecoder decoder = new SseDecoder(event -> {
            if (!event.isDone()) {
                bh.consume(Chunk.event(event.data()).text());
            }
        });
        for (byte[] p : packets) {
            decoder.feed(p);
        }
        decoder.finish();
    }
}
