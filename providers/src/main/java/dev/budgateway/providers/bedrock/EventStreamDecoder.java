package dev.budgateway.providers.bedrock;

import dev.budgateway.providers.http.EventDecoder;
import dev.budgateway.providers.sse.SseEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * AWS's binary event-stream framing ({@code application/vnd.amazon.eventstream}), as Bedrock's
 * ConverseStream sends it: each message is a 12-byte prelude (total length, headers length, CRC32 of the
 * two), headers, a payload and a CRC32 of all that. Each message becomes one event named after its
 * {@code :event-type} header; exceptions are named {@code exception:<:exception-type>}. A frame whose CRC
 * does not match becomes an {@code exception:corruptFrame} event, and nothing after it is decoded.
 */
final class EventStreamDecoder implements EventDecoder {

    private static final int PRELUDE = 12;
    private static final int MAX_MESSAGE = 16 * 1024 * 1024;

    /** The event name for a frame that failed its checksum or whose lengths make no sense. */
    static final String CORRUPT = "exception:corruptFrame";

    private final Consumer<SseEvent> sink;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(1024);
    private boolean broken;

    EventStreamDecoder(Consumer<SseEvent> sink) {
        this.sink = sink;
    }

    @Override
    public void feed(byte[] bytes) {
        if (broken) {
            return;
        }
        pending.write(bytes, 0, bytes.length);
        byte[] buf = pending.toByteArray();
        int pos = 0;
        while (buf.length - pos >= PRELUDE) {
            ByteBuffer b = ByteBuffer.wrap(buf, pos, buf.length - pos);
            int total = b.getInt();
            int headersLength = b.getInt();
            int preludeCrc = b.getInt();
            if (crc(buf, pos, 8) != preludeCrc || total < PRELUDE + 4 || total > MAX_MESSAGE
                    || headersLength < 0 || headersLength > total - PRELUDE - 4) {
                corrupt("event-stream prelude is corrupt");
                return;
            }
            if (buf.length - pos < total) {
                break;
            }
            int messageCrc = ByteBuffer.wrap(buf, pos + total - 4, 4).getInt();
            if (crc(buf, pos, total - 4) != messageCrc) {
                corrupt("event-stream message checksum does not match");
                return;
            }
            boolean ok;
            try {
                ok = message(buf, pos + PRELUDE, headersLength, pos + PRELUDE + headersLength,
                        total - PRELUDE - headersLength - 4);
            } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
                corrupt("event-stream headers are malformed");
                return;
            }
            if (!ok) {
                return;
            }
            pos += total;
        }
        pending.reset();
        pending.write(buf, pos, buf.length - pos);
    }

    @Override
    public void finish() {
        // A partial message at the end is simply not delivered: the stream then lacks its end and is reported
        // as truncated by the translator's caller.
        pending.reset();
    }

    private void corrupt(String why) {
        broken = true;
        pending.reset();
        sink.accept(new SseEvent(CORRUPT, ("{\"message\":\"" + why + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    /** Delivers one message; {@code false} if its headers are malformed. */
    private boolean message(byte[] buf, int headersStart, int headersLength, int payloadStart, int payloadLength) {
        String eventType = null;
        String messageType = null;
        String exceptionType = null;
        ByteBuffer h = ByteBuffer.wrap(buf, headersStart, headersLength);
        while (h.hasRemaining()) {
            int nameLength = h.get() & 0xff;
            String name = new String(buf, h.position(), nameLength, StandardCharsets.UTF_8);
            h.position(h.position() + nameLength);
            byte type = h.get();
            String value = null;
            switch (type) {
                case 0, 1 -> { } // boolean true / false: no value bytes
                case 2 -> h.get();
                case 3 -> h.getShort();
                case 4 -> h.getInt();
                case 5, 8 -> h.getLong();
                case 6, 7 -> {
                    int length = h.getShort() & 0xffff;
                    if (type == 7) {
                        value = new String(buf, h.position(), length, StandardCharsets.UTF_8);
                    }
                    h.position(h.position() + length);
                }
                case 9 -> h.position(h.position() + 16);
                default -> {
                    corrupt("unknown event-stream header type " + type);
                    return false;
                }
            }
            switch (name) {
                case ":event-type" -> eventType = value;
                case ":message-type" -> messageType = value;
                case ":exception-type", ":error-code" -> exceptionType = value;
                default -> {
                    // :content-type and the like
                }
            }
        }
        byte[] payload = new byte[payloadLength];
        System.arraycopy(buf, payloadStart, payload, 0, payloadLength);
        boolean failure = "exception".equals(messageType) || "error".equals(messageType);
        sink.accept(new SseEvent(failure ? "exception:" + exceptionType : eventType, payload));
        return true;
    }

    private static int crc(byte[] buf, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(buf, offset, length);
        return (int) crc.getValue();
    }
}
