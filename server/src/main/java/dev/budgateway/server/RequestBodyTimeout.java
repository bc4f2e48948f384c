package dev.budgateway.server;

import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * The time a client has to send its request body ({@code gateway.request_body_timeout_ms}). The server
 * has no request timeout of its own, since an answer may stream for many minutes; instead the timeout is
 * set when a request arrives and cleared once its body is in, so a slow-body client cannot hold a
 * connection forever while a long stream is never cut.
 */
final class RequestBodyTimeout {

    private RequestBodyTimeout() {}

    static void start(ServiceRequestContext ctx, long timeoutMs) {
        ctx.setRequestTimeoutMillis(TimeoutMode.SET_FROM_NOW, timeoutMs);
    }

    static void stop(ServiceRequestContext ctx) {
        ctx.clearRequestTimeout();
    }
}
