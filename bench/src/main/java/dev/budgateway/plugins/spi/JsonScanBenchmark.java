package dev.budgateway.plugins.spi;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The question every streamed event is asked before it may pass as bytes: has it a usage, a finish or an
 * error? On a real OpenAI chunk (with {@code stream_options.include_usage}, so {@code "usage":null}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonScanBenchmark {

    private static final Json.FieldNames FIELDS = Json.FieldNames.of("usage", "finish_reason", "error");

    private final byte[] chunk = ("{\"id\":\"chatcmpl-AbCdEf0123456789\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token\"},\"logprobs\":null,"
            + "\"finish_reason\":null}],\"usage\":null}").getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public boolean hasAnyField() {
        return Json.hasAnyField(chunk, 0, chunk.length, FIELDS);
    }

    /** The same, the names given as strings on each call (what {@link Chunk#hasField} does). */
    @Benchmark
    public boolean hasAnyFieldNamedEachCall() {
        return Json.hasAnyField(chunk, 0, chunk.length, "usage", "finish_reason", "error");
    }
}
