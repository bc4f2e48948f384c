package dev.budgateway.providers.sse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental server-sent-events parser over bytes. Input may be split anywhere, also inside a line
 * ending or a multi-byte UTF-8 character: bytes are kept until a line is complete and text is only
 * formed from whole events. Handles {@code \n}, {@code \r\n} and {@code \r} line endings, multi-line
 * data, comments and the {@code event:} field. Not thread-safe; one per stream.
 */
public final class SseDecoder implements dev.budgateway.providers.http.EventDecoder {

    private final Consumer<SseEvent> sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final ByteArrayOutputStream data = new ByteArrayOutputStream(256);
    private boolean hasData;
    private String event;
    private boolean lastWasCr;

    public SseDecoder(Consumer<SseEvent> sink) {
        this.sink = sink;
    }

    public void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int lineStart = offset;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n' && lastWasCr) {
                // The \n of a \r\n pair whose \r ended the line already.
                lastWasCr = false;
                lineStart = i + 1;
                continue;
            }
            lastWasCr = false;
            if (b == '\n' || b == '\r') {
                line.write(bytes, lineStart, i - lineStart);
                lineStart = i + 1;
                lastWasCr = b == '\r';
                processLine();
            }
        }
        line.write(bytes, lineStart, end - lineStart);
    }

    @Override
    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** At the end of input: dispatches an event that lacks its final blank line. */
    @Override
    public void finish() {
        if (line.size() > 0) {
            processLine();
        }
        dispatch();
    }

    private void processLine() {
        byte[] l = line.toByteArray();
        line.reset();
        if (l.length == 0) {
            dispatch();
            return;
        }
        if (l[0] == ':') {
            return;
        }
        int colon = indexOf(l, (byte) ':');
        String field;
        int valueStart;
        if (colon < 0) {
            field = new String(l, StandardCharsets.UTF_8);
            valueStart = l.length;
        } else {
            field = new String(l, 0, colon, StandardCharsets.UTF_8);
            valueStart = colon + 1;
            if (valueStart < l.length && l[valueStart] == ' ') {
                valueStart++;
            }
        }
        switch (field) {
            case "data" -> {
                if (hasData) {
                    data.write('\n');
                }
                data.write(l, valueStart, l.length - valueStart);
                hasData = true;
            }
            case "event" -> event = new String(l, valueStart, l.length - valueStart, StandardCharsets.UTF_8);
            default -> {
                // id and retry mean nothing to a proxy of LLM streams.
            }
        }
    }

    private void dispatch() {
        if (hasData) {
            sink.accept(new SseEvent(event, data.toByteArray()));
        }
        data.reset();
        hasData = false;
        event = null;
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
