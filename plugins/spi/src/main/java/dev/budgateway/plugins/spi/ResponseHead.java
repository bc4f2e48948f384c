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
    private final String rawContentType;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ResponseHead(int status, boolean streaming) {
        this(status, streaming, null);
    }

    private ResponseHead(int status, boolean streaming, String rawContentType) {
        this.status = status;
        this.streaming = streaming;
        this.rawContentType = rawContentType;
    }

    /**
     * The head of a body that is not JSON (speech audio, say): its chunks are sent as they are, as they
     * arrive, with this content type.
     */
    public static ResponseHead raw(int status, String contentType) {
        return new ResponseHead(status, true, java.util.Objects.requireNonNull(contentType, "contentType"));
    }

    /** The content type of a raw body, or {@code null} when the body is JSON or server-sent events. */
    public String rawContentType() {
        return rawContentType;
    }

    public int status() {
        return status;
    }

    /** Whether the body is sent as it arrives: server-sent events, or a raw body. */
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
