package dev.budgateway.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.spi.GatewayError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every error the server itself produces OpenAI-shaped: unknown URLs, wrong methods, bodies over
 * the limit, protocol violations and unexpected exceptions. Never a stack trace on the wire.
 */
final class GatewayErrorHandler implements ServerErrorHandler {

    private static final Logger logger = LoggerFactory.getLogger(GatewayErrorHandler.class);

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        if (cause instanceof ContentTooLargeException) {
            return ErrorResponses.of(ErrorResponses.forStatus(HttpStatus.REQUEST_ENTITY_TOO_LARGE, null), null)
                    .toHttpResponse();
        }
        if (cause instanceof HttpStatusException e) {
            return ErrorResponses.of(ErrorResponses.forStatus(e.httpStatus(), null), null).toHttpResponse();
        }
        if (cause instanceof RequestTimeoutException) {
            // Only set while a request body arrives (RequestBodyTimeout).
            return ErrorResponses.of(ErrorResponses.forUnreadableBody(cause, false), null).toHttpResponse();
        }
        if (ctx.isCancelled() || ErrorResponses.isClientGone(cause)) {
            // A client that leaves is no fault of ours: one line, at debug, without a stack trace.
            logger.debug("{} {}: the client went away ({})", ctx.id().text(), ctx.path(),
                    cause.getClass().getSimpleName());
            return ErrorResponses.of(ErrorResponses.forStatus(HttpStatus.valueOf(499), null), null).toHttpResponse();
        }
        logger.warn("Unexpected error serving {}", ctx.path(), cause);
        return ErrorResponses.of(GatewayError.internal("Internal error"), null).toHttpResponse();
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers, HttpStatus status,
            String description, Throwable cause) {
        if (status.code() == 500) {
            // A request the decoder could not take (an unknown method with "expect: 100-continue" makes
            // Armeria's decoder throw) is the client's error, never the server's.
            logger.debug("Protocol violation answered 400: {}", description);
            return ErrorResponses.of(GatewayError.badRequest("invalid_request", "The request could not be "
                    + "parsed as HTTP"), null);
        }
        return ErrorResponses.of(ErrorResponses.forStatus(status, null), null);
    }

    @Override
    public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
            HttpStatus status, String description, Throwable cause) {
        return ErrorResponses.of(ErrorResponses.forStatus(status, null), null);
    }
}
