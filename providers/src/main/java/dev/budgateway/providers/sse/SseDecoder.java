package dev.budgateway.providers.sse;

import dev.budgateway.plugins.spi.ByteScan;
import dev.budgateway.plugins.spi.Json;
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
 *
 * <p>Fed with a {@link Frames} sink, events nobody needs to read are not handed on one by one: a plain event
 * (one JSON object with no {@code usage}, {@code finish_reason} or {@code error}, no other field than
 * {@code data}, lying whole in the piece fed) stays in the piece, and each run of the piece's bytes between
 * the other events goes to that sink as it came. The other events are decoded as always, so the sink and
 * the event sink together see the stream in order.
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

    /** While a piece is fed with a frames sink: that sink, else {@code null}. */
    private Frames frames;
    /** Where the piece's bytes not yet handed to {@link #frames} begin, and how many plain events they hold. */
    private int runStart;
    private int runEvents;
    /** Whether an event has begun (a field line since the last dispatch), where in the piece, and its kind. */
    private boolean eventActive;
    /** The offset in the piece of the event's first line; -1 when it began in an earlier piece. */
    private int eventFrom = -1;
    private boolean otherField;
    /** The piece being fed with a frames sink. */
    private byte[] piece;
    /**
     * Where the event's only data line so far lies in the piece, not copied yet ({@code lazyFrom} -1 when it
     * is in {@link #data}): a plain event is judged where it lies and never copied at all.
     */
    private int lazyFrom = -1;
    private int lazyTo;

    private static final Json.FieldNames READ_FIELDS = Json.FieldNames.of("usage", "finish_reason", "error");

    public SseDecoder(Consumer<SseEvent> sink) {
        this.sink = sink;
    }

    public void feed(byte[] bytes, int offset, int length) {
        feed(bytes, offset, length, null);
    }

    @Override
    public void feed(byte[] bytes, Frames frames) {
        feed(bytes, 0, bytes.length, frames);
    }

    /**
     * @param frames where runs of plain events go as their bytes, or {@code null} to decode every event
     */
    public void feed(byte[] bytes, int offset, int length, Frames frames) {
        this.frames = frames;
        this.piece = bytes;
        runStart = offset;
        runEvents = 0;
        eventFrom = -1;
        int end = offset + length;
        int lineStart = offset;
        if (lastWasCr && offset < end && bytes[offset] == '\n') {
            lineStart = offset + 1; // the \n of a \r\n pair whose \r ended the last piece's line
        }
        lastWasCr = false;
        int i = ByteScan.indexOfEither(bytes, lineStart, end, (byte) '\n', (byte) '\r');
        while (i >= 0) {
            if (carryLength == 0) {
                processLine(bytes, lineStart, i - lineStart, lineStart, i + 1);
            } else {
                carry(bytes, lineStart, i - lineStart);
                int n = carryLength;
                carryLength = 0;
                processLine(carry, 0, n, -1, i + 1);
            }
            lineStart = i + 1;
            if (bytes[i] == '\r') {
                if (lineStart == end) {
                    lastWasCr = true;
                } else if (bytes[lineStart] == '\n') {
                    lineStart++; // the \n of the pair
                }
            }
            i = ByteScan.indexOfEither(bytes, lineStart, end, (byte) '\n', (byte) '\r');
        }
        if (frames != null) {
            // Up to where this piece holds no part of an unfinished event or line: those are decoded later.
            int cut = end;
            if (eventActive) {
                cut = eventFrom >= 0 ? eventFrom : runStart;
            } else if (lineStart < end) {
                cut = carryLength == 0 ? lineStart : runStart;
            }
            handOn(bytes, cut);
            materialize(); // the event goes on in the next piece
            this.frames = null;
            this.piece = null;
        }
        carry(bytes, lineStart, end - lineStart);
    }

    /** Hands the run of the piece up to {@code to} to the frames sink. */
    private void handOn(byte[] bytes, int to) {
        if (to > runStart) {
            frames.frames(bytes, runStart, to, runEvents);
        }
        runStart = to;
        runEvents = 0;
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
            processLine(carry, 0, n, -1, 0);
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

    /**
     * @param origin where the line begins in the piece being fed, or -1 when it began in an earlier one
     * @param next where the piece goes on after the line's end
     */
    private void processLine(byte[] l, int from, int length, int origin, int next) {
        if (length == 0) {
            if (frames != null && eventActive) {
                dispatchOrPass(l, next);
            } else {
                dispatch();
            }
            return;
        }
        if (l[from] == ':') {
            return; // a comment (keep-alive)
        }
        if (!eventActive) {
            eventActive = true;
            eventFrom = origin;
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
            if (!hasData && frames != null && origin >= 0) {
                lazyFrom = valueStart;
                lazyTo = end;
                hasData = true;
                return;
            }
            materialize();
            if (hasData) {
                appendData(NEWLINE, 0, 1);
            }
            appendData(l, valueStart, end - valueStart);
            hasData = true;
        } else {
            otherField = true;
            if (is(l, from, colon, EVENT)) {
                event = new String(l, valueStart, end - valueStart, StandardCharsets.UTF_8);
            }
        }
        // id and retry mean nothing to a proxy of LLM streams: an event with them is decoded, and they drop.
    }

    /**
     * The end of an event while a frames sink is there: a plain event that lies whole in the piece stays in
     * the run; any other ends the run before it and is decoded.
     */
    private void dispatchOrPass(byte[] piece, int next) {
        if (eventFrom >= 0 && !otherField && hasData
                && (lazyFrom >= 0 ? isPlain(piece, lazyFrom, lazyTo) : isPlain(data, 0, dataLength))) {
            runEvents++;
            reset();
            return;
        }
        handOn(piece, eventFrom >= 0 ? eventFrom : runStart);
        dispatch();
        runStart = next;
    }

    /** One JSON object that nobody needs to read: no usage, finish or error in it. */
    private static boolean isPlain(byte[] json, int from, int to) {
        int i = from;
        while (i < to && json[i] == ' ') {
            i++;
        }
        return i < to && json[i] == '{' && json[to - 1] == '}'
                && !Json.hasAnyField(json, i, to, READ_FIELDS);
    }

    /** Copies a data line still lying in the piece into {@link #data}. */
    private void materialize() {
        if (lazyFrom >= 0) {
            int from = lazyFrom;
            lazyFrom = -1;
            appendData(piece, from, lazyTo - from);
        }
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
        materialize();
        if (hasData) {
            sink.accept(new SseEvent(event, Arrays.copyOf(data, dataLength)));
        }
        reset();
    }

    private void reset() {
        dataLength = 0;
        hasData = false;
        event = null;
        eventActive = false;
        eventFrom = -1;
        otherField = false;
        lazyFrom = -1;
    }
}
