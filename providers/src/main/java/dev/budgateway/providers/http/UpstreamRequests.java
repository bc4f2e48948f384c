package dev.budgateway.providers.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeadersBuilder;

/** Requests to an upstream whose whole body is known when they are built. */
public final class UpstreamRequests {

    private UpstreamRequests() {}

    /**
     * The headers with the body's {@code content-length}, and the body. Armeria sets a missing or wrong length
     * itself, but by copying every header into a new set: once per upstream call.
     */
    public static HttpRequest of(RequestHeadersBuilder headers, byte[] body) {
        return HttpRequest.of(headers.contentLength(body.length).build(), HttpData.wrap(body));
    }
}
