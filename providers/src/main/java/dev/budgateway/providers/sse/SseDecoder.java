package dev.budgateway.providers.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Incremental server-sent-events parser over bytes. Input may be split anywhere, also inside a line
 * ending or a multi-byte UTF-8 character: bytes are kept until a line is complete and text is only
 * formed from whole events. Handles {@code \n}, {@code \r\n} and {@code \r} line endings, multi-line
 * data, comments and the {@code event:} field. Not thread-safe; one per stream.
 *
 * <p>Every streamed token passes here, so a line that arrived whole is read where it lies, and the only
 * copy an event's data gets is the payload handed on; a line split across two reads is carried over.
 */
public final class SseDecoder implements dev.budgateway.providers.http.EventDecoder {

    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] NEWLINE = {'\n'};

    private final Consumer<SseEvent> sink;
    /** The start of a line whose end has not arrived yet. */
    private byte[] carry = new byte[256];
    private int carryLength;
    /** The data lines of the event so far, joined with newlines. */
    private byte[] data = new byte[512];
    private int dataLength;
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
                if (carryLength == 0) {
                    processLine(bytes, lineStart, i - lineStart);
                } else {
                    carry(bytes, lineStart, i - lineStart);
                    int n = carryLength;
                    carryLength = 0;
                    processLine(carry, 0, n);
                }
                lineStart = i + 1;
                lastWasCr = b == '\r';
            }
        }
        carry(bytes, lineStart, end - lineStart);
    }

    @Override
    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** At the end of input: dispatches an event that lacks its final blank line. */
    @Override
    public void finish() {
        if (carryLength > 0) {
            int n = carryLength;
            carryLength = 0;
            processLine(carry, 0, n);
        }
        dispatch();
    }

    private void carry(byte[] bytes, int from, int length) {
        if (length == 0) {
            return;
        }
        if (carryLength + length > carry.length) {
            carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carryLength + length));
        }
        System.arraycopy(bytes, from, carry, carryLength, length);
        carryLength += length;
    }

    private void processLine(byte[] l, int from, int length) {
        if (length == 0) {
            dispatch();
            return;
        }
        if (l[from] == ':') {
            return; // a comment (keep-alive)
        }
        int end = from + length;
        int colon = from;
        while (colon < end && l[colon] != ':') {
            colon++;
        }
        int valueStart = colon < end ? colon + 1 : end;
        if (valueStart < end && l[valueStart] == ' ') {
            valueStart++;
        }
        if (is(l, from, colon, DATA)) {
            if (hasData) {
                appendData(NEWLINE, 0, 1);
            }
            appendData(l, valueStart, end - valueStart);
            hasData = true;
        } else if (is(l, from, colon, EVENT)) {
            event = new String(l, valueStart, end - valueStart, StandardCharsets.UTF_8);
        }
        // id and retry mean nothing to a proxy of LLM streams.
    }

    private static boolean is(byte[] l, int from, int to, byte[] field) {
        if (to - from != field.length) {
            return false;
        }
        for (int k = 0; k < field.length; k++) {
            if (l[from + k] != field[k]) {
                return false;
            }
        }
        return true;
    }

    private void appendData(byte[] bytes, int from, int length) {
        if (dataLength + length > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + length));
        }
        System.arraycopy(bytes, from, data, dataLength, length);
        dataLength += length;
    }

    private void dispatch() {
        if (hasData) {
            sink.accept(new SseEvent(event, Arrays.copyOf(data, dataLength)));
        }
        dataLength = 0;
        hasData = false;
        event = null;
    }
}
