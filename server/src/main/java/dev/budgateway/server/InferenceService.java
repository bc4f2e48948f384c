package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.runtime.ChainRunner;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.UploadedFiles;
import dev.budgateway.providers.EventLoops;
import dev.budgateway.providers.ScannedBody;
import java.util.concurrent.CompletableFuture;

/**
 * One endpoint of a {@link ClientApi} ({@code POST /v1/chat/completions}, {@code /v1/messages},
 * {@code /v1/audio/transcriptions}, {@code GET /v1/models}, ...): read and check the request, run the chain,
 * send the outcome in the client's API, and tell the host's completion sinks how it ended.
 */
final class InferenceService implements HttpService {

    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(InferenceService.class);

    private final ClientApi api;
    private final ApiEndpoint endpoint;
    private final ChainRunner runner;
    private final HostServices services;
    /** How long the client may take to send its body; streams may then last as long as they need. */
    private final long bodyTimeoutMs;
    private final Drain drain;
    private final Admission admission;

    /**
     * @param runner the chain, or for an API the gateway answers itself, the filters before routing with
     *     that answer as their terminal
     */
    InferenceService(ClientApi api, ChainRunner runner, HostServices services, long bodyTimeoutMs, Drain drain,
            Admission admission) {
        this.api = api;
        this.endpoint = api.endpoint();
        this.runner = runner;
        this.services = services;
        this.bodyTimeoutMs = bodyTimeoutMs;
        this.drain = drain;
        this.admission = admission;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        long start = System.nanoTime();
        if (!admission.tryEnter()) {
            return shed(ctx, req, start);
        }
        ctx.log().whenComplete().thenRun(admission::leave);
        RequestBodyTimeout.start(ctx, bodyTimeoutMs);
        CompletableFuture<HttpResponse> result = new CompletableFuture<>();
        if (endpoint.isMultipart()) {
            UploadReader.read(req, ctx.eventLoop().withoutContext()).whenComplete((upload, failure) ->
                    EventLoops.run(ctx.eventLoop(), () -> {
                        if (failure != null) {
                            rejected(ctx, req, failure, start, result);
                            return;
                        }
                        RequestBodyTimeout.stop(ctx);
                        // The files live as long as the request: every attempt may send them again.
                        result.whenComplete((response, t) -> {
                            if (response == null) {
                                upload.close();
                            } else {
                                response.whenComplete().handle((unused, x) -> {
                                    upload.close();
                                    return null;
                                });
                            }
                        });
                        ClientApi.Request request;
                        try {
                            // Uploads are OpenAI's only (audio, image edits): its API reads their text fields.
                            request = ((OpenAiApi) api).request(RequestParser.check(endpoint, upload.fields()));
                        } catch (GatewayException e) {
                            rejected(ctx, req, e, start, result);
                            return;
                        }
                        handle(ctx, req, request, upload.files(), -1, start, result);
                    }));
            return HttpResponse.of(result);
        }
        req.aggregate().whenComplete((agg, failure) -> {
            if (failure != null) {
                rejected(ctx, req, failure, start, result);
                return;
            }
            RequestBodyTimeout.stop(ctx);
            EventLoops.run(ctx.eventLoop(), () -> {
                ClientApi.Request request;
                try {
                    request = api.read(ctx, req, agg.content().array());
                } catch (GatewayException e) {
                    rejected(ctx, req, e, start, result);
                    return;
                }
                handle(ctx, req, request, null, agg.content().length(), start, result);
            });
        });
        return HttpResponse.of(result);
    }

    /** A request refused because the gateway is full: answered before its body is read. */
    private HttpResponse shed(ServiceRequestContext ctx, HttpRequest req, long start) {
        return refuse(ctx, req, admission.overloaded(), start);
    }

    /** Records a request that never reached the chain and answers it with {@code error}. */
    private HttpResponse refuse(ServiceRequestContext ctx, HttpRequest req, GatewayError error, long start) {
        record(null, req, ctx.id().text(), false, new Completion(error.status(), null, error, false, 0, null,
                System.nanoTime() - start, -1));
        return api.errors().errorResponse(error, ctx.id().text()).toHttpResponse();
    }

    /** A request that never reached the chain: unreadable, too large, or invalid. */
    private void rejected(ServiceRequestContext ctx, HttpRequest req, Throwable failure, long start,
            CompletableFuture<HttpResponse> result) {
        boolean clientGone = GatewayException.unwrap(failure) == null && !ErrorResponses.isBodyTimeout(failure)
                && (ctx.isCancelled() || ErrorResponses.isClientGone(failure));
        if (clientGone) {
            // The client left while sending its request: nobody to answer, nothing to warn about.
            logger.debug("{}: the client went away before its request was complete", ctx.id().text());
            record(null, req, ctx.id().text(), false, new Completion(499, null, null, true, 0, null,
                    System.nanoTime() - start, -1));
            result.complete(HttpResponse.of(HttpStatus.valueOf(499)));
            return;
        }
        result.complete(refuse(ctx, req, ErrorResponses.forUnreadableBody(failure, endpoint.isMultipart()), start));
    }

    /** @param bodyBytes the body's size as it arrived, or -1 for an upload */
    private void handle(ServiceRequestContext ctx, HttpRequest req, ClientApi.Request request, UploadedFiles files,
            long bodyBytes, long start, CompletableFuture<HttpResponse> result) {
        ScannedBody scanned = request.scanned();
        ObjectNode body = scanned == null ? request.body() : null;
        String requestId = ctx.id().text();
        boolean stream = (scanned != null ? scanned.stream() : body.path("stream").asBoolean(false))
                && endpoint.canStream();
        io.netty.channel.EventLoop loop = ctx.eventLoop().withoutContext();
        com.linecorp.armeria.common.RequestHeaders headers = req.headers();
        dev.budgateway.plugins.runtime.RequestHeaders exchangeHeaders = new dev.budgateway.plugins.runtime.RequestHeaders() {
            @Override
            public String get(String name) {
                return headers.get(name);
            }

            @Override
            public java.util.List<String> all(String name) {
                return headers.getAll(name);
            }
        };
        DefaultExchange exchange = scanned != null
                ? new DefaultExchange(endpoint, req.method().name(), req.path(), exchangeHeaders, scanned.bytes(), loop,
                        loop::inEventLoop, start)
                : new DefaultExchange(endpoint, req.method().name(), req.path(), exchangeHeaders, body, loop,
                        loop::inEventLoop, start);
        exchange.put(Keys.REQUEST_ID, requestId);
        if (scanned != null) {
            exchange.put(ScannedBody.KEY, scanned);
            exchange.put(Keys.MODEL, scanned.model());
        } else if (body.path("model").isTextual()) {
            exchange.put(Keys.MODEL, body.get("model").asText());
        }
        exchange.put(Keys.STREAM, stream);
        exchange.put(Keys.PEER_ADDRESS, ctx.remoteAddress());
        exchange.put(Keys.PROTOCOL, ctx.sessionProtocol().isMultiplex() ? "HTTP/2.0" : "HTTP/1.1");
        if (bodyBytes >= 0) {
            exchange.put(Keys.BODY_BYTES, bodyBytes);
        }
        if (files != null) {
            exchange.put(Keys.UPLOADED_FILES, files);
        }
        request.prepare(exchange);
        ctx.whenRequestCancelling().thenRun(() -> EventLoops.run(exchange.eventLoop(), exchange::cancel));
        ExchangeResponder responder = new ExchangeResponder(exchange, request.protocol(), services.observability(),
                completion -> record(exchange, req, requestId, stream, completion), result, drain);
        drain.started(responder);
        runner.run(exchange).whenComplete((response, failure) -> EventLoops.run(exchange.eventLoop(), () -> {
            if (failure != null) {
                responder.error(GatewayException.errorOf(failure));
            } else {
                responder.respond(response);
            }
        }));
    }

    private void record(DefaultExchange exchange, HttpRequest req, String requestId, boolean stream,
            Completion completion) {
        services.finished(new FinishedExchange(requestId, api.name(), stream, exchange, completion,
                exchange == null ? java.util.List.of() : exchange.attemptLog().finish(completion),
                java.time.Instant.now()), req.headers()::get);
    }
}
