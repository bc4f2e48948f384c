package dev.budgateway.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ApiEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/**
 * What the endpoint pays to read a request: the full tree it builds today, against a streaming scan
 * for {@code model} only (what a lazy path would pay). Lives in the server's package to reach its parser.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestParsingBenchmark {

    @Param({"1000", "100000"})
    public int bytes;

    private byte[] body;
    private final JsonFactory factory = new JsonFactory();

    @Setup
    public void setUp() {
        StringBuilder content = new StringBuilder();
        while (content.length() < bytes) {
            content.append("The quick brown fox jumps over the lazy dog. ");
        }
        body = ("{\"messages\":[{\"role\":\"system\",\"content\":\"You are helpful.\"},{\"role\":\"user\",\"content\":\""
                + content.substring(0, bytes) + "\"}],\"temperature\":0.2,\"model\":\"llama-3.1-8b\",\"stream\":false}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public ObjectNode parseAndValidate() {
        return RequestParser.parse(ApiEndpoint.CHAT, body);
    }

    @Benchmark
    public String scanForModelOnly() throws IOException {
        try (JsonParser p = factory.createParser(body)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("model")) {
                    return p.getText();
                }
                p.skipChildren();
            }
            return null;
        }
    }
}
