package dev.budgateway.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/** Writes AWS event-stream messages as Bedrock sends them: prelude, string headers, payload, CRCs. */
final class EventStreamFrames {

    private EventStreamFrames() {}

    static byte[] event(String eventType, String json) {
        return message(Map.of(":event-type", eventType, ":content-type", "application/json", ":message-type", "event"),
                json);
    }

    static byte[] exception(String exceptionType, String json) {
        return message(Map.of(":exception-type", exceptionType, ":content-type", "application/json",
                ":message-type", "exception"), json);
    }

    static byte[] message(Map<String, String> headers, String json) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            h.write(n.length);
            h.writeBytes(n);
            h.write(7);
            h.write(v.length >> 8);
            h.write(v.length & 0xff);
            h.writeBytes(v);
        });
        byte[] headerBytes = h.toByteArray();
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        int total = 12 + headerBytes.length + payload.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total);
        b.putInt(headerBytes.length);
        b.putInt(crc(b.array(), 0, 8));
        b.put(headerBytes);
        b.put(payload);
        b.putInt(crc(b.array(), 0, total - 4));
        return b.array();
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
