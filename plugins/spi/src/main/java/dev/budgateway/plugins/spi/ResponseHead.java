package dev.budgateway.plugins.spi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Status and headers of a response before its body. Listeners may add headers in
 * {@link ResponseListener#onHead}; the head is sent right after the listeners have seen it.
 */
public final class ResponseHead {

    private final int status;
    private final boolean streaming;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ResponseHead(int status, boolean streaming) {
        this.status = status;
        this.streaming = streaming;
    }

    public int status() {
        return status;
    }

    /** Whether the body is a server-sent event stream. */
    public boolean isStreaming() {
        return streaming;
    }

    /** The headers to send, names in lower case. */
    public Map<String, String> headers() {
        return headers;
    }

    public ResponseHead header(String name, String value) {
        headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
        return this;
    }
}
