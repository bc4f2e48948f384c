package dev.budgateway.providers.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.RequestOptions;
import com.linecorp.armeria.common.ExchangeType;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.SplitHttpResponse;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.config.UpstreamLimits;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.providers.EventLoops;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.ProviderContext;
import dev.budgateway.providers.UpstreamErrors;
import dev.budgateway.providers.pool.Balanced;
import dev.budgateway.providers.pool.EndpointPool;
import dev.budgateway.providers.pool.UpstreamTarget;
import io.netty.util.concurrent.EventExecutor;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider reached over HTTP, speaking some {@link UpstreamProtocol}. Owns what is the same for every
 * protocol: picking a replica ({@link EndpointPool}: balancing, health, circuit breakers), the per-attempt
 * timeouts (total; for streams also time to first token and the longest silence between events), dropping
 * the upstream call when the client goes away, turning transport failures into the client's error, and
 * telling the replica how the call went.
 */
public final class HttpProvider implements Provider {

    private static final Logger logger = LoggerFactory.getLogger(HttpProvider.class);

    private static final long COUNT_TOKENS_TIMEOUT_MS = 10_000;

    private final String name;
    private final UpstreamProtocol protocol;
    private final EndpointPool pool;
    private final long globalTimeoutMs;
    private final Long nonStreamingTotalMs;
    private final Long streamingTtftMs;
    private final Long streamingTotalMs;
    private final Long streamingStallMs;
    private final UpstreamLimits limits;

    private HttpProvider(ProviderConfig config, UpstreamProtocol protocol, EndpointPool pool, long globalTimeoutMs,
            UpstreamLimits limits) {
        this.name = config.name();
        this.protocol = protocol;
        this.pool = pool;
        this.globalTimeoutMs = globalTimeoutMs;
        this.limits = limits;
        this.nonStreamingTotalMs = config.timeouts().nonStreamingTotalMs();
        this.streamingTtftMs = config.timeouts().streamingTtftMs();
        this.streamingTotalMs = config.timeouts().streamingTotalMs();
        this.streamingStallMs = config.timeouts().streamingStallMs();
    }

    /**
     * A provider speaking {@code protocol} to its {@code endpoints}, or to {@code base} when it has none;
     * {@code null} after adding problems.
     */
    public static HttpProvider create(ProviderConfig config, UpstreamProtocol protocol, URI base,
            ProviderContext context, List<ConfigProblem> problems) {
        EndpointPool pool = context.pool(config, base, problems);
        return pool == null ? null : new HttpProvider(config, protocol, pool, context.upstream().globalTimeoutMs(),
                context.upstream().limits());
    }

    @Override
    public List<UpstreamTarget> targets() {
        return pool.targets();
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public Balanced load() {
        return pool;
    }

    @Override
    public ObjectNode continuation(ObjectNode chatBody, String partial) {
        return protocol.continuation(chatBody, partial);
    }

    @Override
    public CompletionStage<Long> countTokens(ObjectNode messagesRequest, String beta, Executor eventLoop) {
        if (!(protocol instanceof TokenCounting counting)) {
            return null;
        }
        UpstreamTarget target;
        try {
            target = pool.acquire(name);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        Outcome outcome = new Outcome(target, null);
        // A count is quick or useless: the caller estimates instead of waiting for a slow one.
        long timeoutMs = Math.min(globalTimeoutMs, COUNT_TOKENS_TIMEOUT_MS);
        return target.client().on(eventLoop).execute(counting.countTokensRequest(messagesRequest, beta, target),
                RequestOptions.builder().responseTimeoutMillis(timeoutMs).build())
                .aggregate()
                .handle((agg, failure) -> {
                    GatewayError error = failure != null ? UpstreamErrors.fromThrowable(name, failure, timeoutMs)
                            : agg.status().isSuccess() ? null
                            : protocol.error(agg.status().code(), agg.content().array(), null);
                    outcome.done(error, false);
                    if (error != null) {
                        throw new GatewayException(error);
                    }
                    try {
                        return Json.parse(agg.content().array()).path("input_tokens").asLong();
                    } catch (java.io.IOException e) {
                        throw new GatewayException(GatewayError.badGateway("Provider '" + name
                                + "' sent a token count that is not JSON"));
                    }
                });
    }

    /**
     * A request whose body is in memory is sent as one: its head and body in one write, so one TCP segment
     * and one wake-up of the upstream instead of two. An upload streams from its spooled files.
     */
    private static ExchangeType exchangeType(HttpRequest request) {
        MediaType type = request.contentType();
        return type != null && type.isMultipart() ? ExchangeType.BIDI_STREAMING : ExchangeType.RESPONSE_STREAMING;
    }

    @Override
    public CompletionStage<Response> send(ProviderCall call) {
        UpstreamTarget target;
        HttpRequest request;
        try {
            target = pool.acquire(name);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        Outcome outcome = new Outcome(target, call);
        UpstreamProtocol.Mode mode;
        HttpResponse response;
        long timeoutMs;
        // Whatever fails between acquire and a response to wait for gives the replica its slot back.
        try {
            request = protocol.request(call, target);
            mode = protocol.mode(call);
            boolean streaming = mode != UpstreamProtocol.Mode.UNARY;
            Long configured = streaming ? streamingTotalMs : nonStreamingTotalMs;
            timeoutMs = configured == null ? globalTimeoutMs : Math.min(configured, globalTimeoutMs);
            response = target.client().on(call.eventLoop()).execute(request, RequestOptions.builder()
                    .exchangeType(exchangeType(request))
                    .responseTimeoutMillis(timeoutMs)
                    // 0 is no limit: a stream is passed on as it comes, its length costs no memory.
                    .maxResponseLength(streaming ? limits.maxStreamBytes() : limits.maxBodyBytes())
                    .build());
        } catch (GatewayException e) {
            outcome.done(null, true);
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            outcome.done(null, true);
            logger.warn("Provider '{}': the request could not be built ({})", name, e.getClass().getSimpleName());
            return CompletableFuture.failedFuture(new GatewayException(GatewayError.internal("The request to "
                    + "provider '" + name + "' could not be built")));
        }
        boolean streaming = mode != UpstreamProtocol.Mode.UNARY;
        // A client that went away takes the upstream call with it (for a stream, too, before its head).
        call.cancelled().thenRun(response::abort);
        EventExecutor loop = EventLoops.executor(call.eventLoop());
        return streaming ? streaming(call, mode, response, loop, timeoutMs, outcome)
                : unary(call, response, loop, timeoutMs, outcome);
    }

    private CompletionStage<Response> unary(ProviderCall call, HttpResponse response, EventExecutor loop,
            long timeoutMs, Outcome outcome) {
        CompletableFuture<Response> out = new CompletableFuture<>();
        response.aggregate().whenComplete((agg, failure) -> EventLoops.run(loop, () -> {
            if (failure != null) {
                GatewayError error = UpstreamErrors.fromThrowable(name, failure, timeoutMs);
                outcome.done(error, false);
                out.completeExceptionally(new GatewayException(error));
                return;
            }
            int status = agg.status().code();
            GatewayError error = status >= 400 ? protocol.error(status, agg.content().array(),
                    agg.headers().get(HttpHeaderNames.RETRY_AFTER)) : unexpectedStatus(status);
            if (error != null) {
                outcome.done(error, false);
                out.completeExceptionally(new GatewayException(error));
                return;
            }
            outcome.answered();
            try {
                MediaType type = agg.headers().contentType();
                byte[] body = ContentEncodings.decode(agg.headers().get(HttpHeaderNames.CONTENT_ENCODING),
                        agg.content().array(), limits.maxBodyBytes(), name);
                out.complete(protocol.unary(call, status, type == null ? null : type.toString(), body));
                outcome.done(null, false);
            } catch (GatewayException e) {
                outcome.done(e.error(), false);
                out.completeExceptionally(e);
            } catch (RuntimeException e) {
                GatewayError unreadable = GatewayError.badGateway("Provider '" + name + "' sent an answer that "
                        + "could not be read");
                outcome.done(unreadable, false);
                out.completeExceptionally(new GatewayException(unreadable));
            }
        }));
        return out;
    }

    private CompletionStage<Response> streaming(ProviderCall call, UpstreamProtocol.Mode mode, HttpResponse response,
            EventExecutor loop, long timeoutMs, Outcome outcome) {
        CompletableFuture<Response> out = new CompletableFuture<>();
        ScheduledFuture<?> ttftTimer = null;
        if (streamingTtftMs != null) {
            GatewayError ttft = GatewayError.timeout("Provider '" + name + "' sent no first token within "
                    + streamingTtftMs + " ms");
            ttftTimer = loop.schedule(() -> response.abort(new GatewayException(ttft)), streamingTtftMs,
                    TimeUnit.MILLISECONDS);
        }
        ScheduledFuture<?> timer = ttftTimer;
        Runnable firstData = () -> {
            if (timer != null) {
                timer.cancel(false);
            }
            outcome.answered();
        };
        SplitHttpResponse split = response.split();
        split.headers().whenComplete((ResponseHeaders head, Throwable failure) -> EventLoops.run(loop, () -> {
            if (failure != null) {
                if (timer != null) {
                    timer.cancel(false);
                }
                GatewayError error = UpstreamErrors.fromThrowable(name, failure, timeoutMs);
                outcome.done(error, false);
                out.completeExceptionally(new GatewayException(error));
                return;
            }
            int status = head.status().code();
            if (status >= 400) {
                if (timer != null) {
                    timer.cancel(false);
                }
                String retryAfter = head.get(HttpHeaderNames.RETRY_AFTER);
                split.body().collect().whenComplete((parts, t) -> EventLoops.run(loop, () -> {
                    byte[] bytes = t == null ? concat(parts) : new byte[0];
                    GatewayError error = protocol.error(status, bytes, retryAfter);
                    outcome.done(error, false);
                    out.completeExceptionally(new GatewayException(error));
                }));
                return;
            }
            GatewayError wrong = unexpectedStatus(status);
            MediaType type = head.contentType();
            if (wrong == null && mode == UpstreamProtocol.Mode.EVENTS && type != null
                    && !type.toString().startsWith(protocol.eventStreamType())) {
                wrong = GatewayError.badGateway("Provider '" + name + "' answered a stream request with " + type
                        .withoutParameters() + ", not " + protocol.eventStreamType());
            }
            String encoding = head.get(HttpHeaderNames.CONTENT_ENCODING);
            if (wrong == null && encoding != null && !encoding.equalsIgnoreCase("identity")) {
                // Never asked for: a compressed stream would be garbage to the client and to the decoder.
                wrong = GatewayError.badGateway("Provider '" + name + "' sent a stream with content-encoding "
                        + encoding);
            }
            if (wrong != null) {
                if (timer != null) {
                    timer.cancel(false);
                }
                split.body().abort();
                outcome.done(wrong, false);
                out.completeExceptionally(new GatewayException(wrong));
                return;
            }
            UpstreamChunkStream.Settings settings = new UpstreamChunkStream.Settings(loop,
                    t -> UpstreamErrors.fromThrowable(name, t, timeoutMs), firstData,
                    new GatewayError(502, "upstream_error", "upstream_stream_truncated",
                            "The stream from provider '" + name + "' ended before it was complete"),
                    streamingStallMs, streamingStallMs == null ? null : GatewayError.timeout("Provider '" + name
                            + "' sent nothing for " + streamingStallMs + " ms in the middle of a stream"),
                    outcome::done, limits.maxEventBytes(),
                    what -> GatewayError.badGateway("Provider '" + name + "' " + what));
            if (mode == UpstreamProtocol.Mode.RAW) {
                out.complete(new Response(ResponseHead.raw(status, type == null ? "application/octet-stream"
                        : type.toString()), new UpstreamChunkStream(split.body(), null, null, settings)));
                return;
            }
            out.complete(new Response(new ResponseHead(status, true), new UpstreamChunkStream(split.body(),
                    protocol::decoder, protocol.streamTranslator(call), settings)));
        }));
        return out;
    }

    /**
     * The error for a status below 400 that is not an answer: 1xx, a redirect (the gateway does not follow
     * them: an upstream's URL is configured exactly), or 204 (no body where one is due); {@code null} for
     * a real success.
     */
    private GatewayError unexpectedStatus(int status) {
        if (status >= 200 && status < 300 && status != 204) {
            return null;
        }
        return new GatewayError(502, "upstream_error", "upstream_unexpected_status", "Provider '" + name
                + "' answered HTTP " + status + (status >= 300 && status < 400 ? " (a redirect; check its api_base)"
                : ""));
    }

    /** How one call went, told to its replica exactly once. */
    private static final class Outcome {
        private final UpstreamTarget target;
        /** The call, to tell a client that left from a failing upstream; {@code null} for other requests. */
        private final ProviderCall call;
        private final long start = System.nanoTime();
        private boolean answered;
        private boolean reported;

        Outcome(UpstreamTarget target, ProviderCall call) {
            this.target = target;
            this.call = call;
        }

        void answered() {
            if (!answered) {
                answered = true;
                target.answered(System.nanoTime() - start);
            }
        }

        /**
         * @param error {@code null} for success
         * @param cancelled the call ended without a verdict on the upstream (the client left, the request
         *     could not be built)
         */
        void done(GatewayError error, boolean cancelled) {
            if (reported) {
                return;
            }
            reported = true;
            long nanos = System.nanoTime() - start;
            if (cancelled || (call != null && call.cancelled().toCompletableFuture().isDone())) {
                target.finished(nanos, false, false);
            } else if (error == null) {
                target.finished(nanos, true, false);
            } else if (error.status() == 429) {
                // Rate limited: the upstream works, it only asks us to slow down.
                target.finished(nanos, false, false);
            } else {
                target.finished(nanos, true, error.status() >= 500);
            }
        }
    }

    private static byte[] concat(List<HttpData> parts) {
        int size = 0;
        for (HttpData d : parts) {
            size += d.length();
        }
        byte[] out = new byte[size];
        int pos = 0;
        for (HttpData d : parts) {
            System.arraycopy(d.array(), 0, out, pos, d.length());
            pos += d.length();
        }
        return out;
    }
}
