package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request log's appender: lines in order, a write per batch rather than per line, nothing left at stop. */
class BatchingConsoleAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final AtomicInteger writes = new AtomicInteger();
    private PrintStream stdout;

    @BeforeEach
    void captureStdout() {
        stdout = System.out;
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                writes.incrementAndGet();
                written.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.incrementAndGet();
                written.write(b, off, len);
            }
        }, false, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(stdout);
    }

    private BatchingConsoleAppender appender(int queueSize, long flushIntervalMillis) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        BatchingConsoleAppender appender = new BatchingConsoleAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setFlushIntervalMillis(flushIntervalMillis);
        appender.start();
        return appender;
    }

    private void log(BatchingConsoleAppender appender, String line) {
        appender.doAppend(new LoggingEvent("test", context.getLogger("budgateway.requests"), Level.INFO, line, null,
                null));
    }

    private List<String> lines() {
        String text = written.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    @Test
    void linesComeOutInOrderAFewWritesForAThousand() throws Exception {
        BatchingConsoleAppender appender = appender(8192, 50);
        for (int i = 0; i < 1000; i++) {
            log(appender, "{\"n\":" + i + "}");
        }
        within(2_000, () -> lines().size() == 1000, "all lines written");
        List<String> lines = lines();
        for (int i = 0; i < 1000; i++) {
            assertEquals("{\"n\":" + i + "}", lines.get(i));
        }
        assertTrue(writes.get() <= 4, writes.get() + " writes for 1,000 lines");
        appender.stop();
    }

    @Test
    void stoppingWritesWhatIsQueued() {
        BatchingConsoleAppender appender = appender(8192, 60_000);
        log(appender, "one");
        log(appender, "two");
        assertEquals(List.of(), lines(), "nothing before the interval");
        appender.stop();
        assertEquals(List.of("one", "two"), lines());
    }

    @Test
    void aFullQueueDropsRatherThanWaits() {
        BatchingConsoleAppender appender = appender(10, 60_000);
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            log(appender, "line " + i);
        }
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "no wait for room");
        appender.stop();
        List<String> all = lines();
        List<String> lines = all.stream().filter(l -> l.startsWith("line ")).toList();
        assertEquals(10, lines.size(), all.toString());
        assertEquals("line 0", lines.get(0));
        assertEquals("line 9", lines.get(9));
        assertTrue(all.stream().anyMatch(l -> l.contains("request log: 40 line(s) dropped")), all.toString());
    }
}
