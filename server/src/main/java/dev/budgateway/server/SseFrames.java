package dev.budgateway.server;

import com.linecorp.armeria.common.HttpData;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import java.nio.charset.StandardCharsets;

/** Writing server-sent events: {@code data: <payload>\n\n}, one frame per chunk. */
final class SseFrames {

    static final HttpData DONE = HttpData.ofUtf8("data: [DONE]\n\n");
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {}

    /** A frame with an {@code event:} line when {@code name} is not {@code null}. */
    static HttpData event(String name, byte[] payload) {
        if (name == null) {
            return data(payload);
        }
        byte[] data = data(payload).array();
        byte[] head = ("event: " + name + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[head.length + data.length];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(data, 0, frame, head.length, data.length);
        return HttpData.wrap(frame);
    }

    static HttpData data(byte[] payload) {
        if (indexOfNewline(payload) >= 0) {
            return multiLine(payload);
        }
        byte[] frame = new byte[PREFIX.length + payload.length + 2];
        System.arraycopy(PREFIX, 0, frame, 0, PREFIX.length);
        System.arraycopy(payload, 0, frame, PREFIX.length, payload.length);
        frame[frame.length - 2] = '\n';
        frame[frame.length - 1] = '\n';
        return HttpData.wrap(frame);
    }

    /** The in-stream error event OpenAI clients understand, as {@code data: {"error":{...}}}. */
    static HttpData error(GatewayError error) {
        return data(Json.bytes(ErrorResponses.body(error)));
    }

    /** A payload with line breaks needs a {@code data:} field per line to survive SSE framing. */
    private static HttpData multiLine(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(payload.length + 16);
        for (String line : text.split("\r\n|\r|\n", -1)) {
            sb.append("data: ").append(line).append('\n');
        }
        sb.append('\n');
        return HttpData.ofUtf8(sb.toString());
    }

    private static int indexOfNewline(byte[] payload) {
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == '\n' || payload[i] == '\r') {
                return i;
            }
        }
        return -1;
    }
}
