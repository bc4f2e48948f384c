package dev.budgateway.providers.http;

import com.linecorp.armeria.client.RequestOptions;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.SplitHttpResponse;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.providers.EventLoops;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.UpstreamClient;
import dev.budgateway.providers.UpstreamErrors;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A provider reached over HTTP, speaking some {@link UpstreamProtocol}. Owns what is the same for every
 * protocol: the per-attempt timeouts (total, and time to first token for streams), dropping the upstream
 * call when the client goes away, and turning transport failures into the client's error.
 */
public final class HttpProvider implements Provider {

    private final String name;
    private final UpstreamProtocol protocol;
    private final UpstreamClient.Endpoint endpoint;
    private final long globalTimeoutMs;
    private final Long nonStreamingTotalMs;
    private final Long streamingTtftMs;
    private final Long streamingTotalMs;

    public HttpProvider(ProviderConfig config, UpstreamProtocol protocol, UpstreamClient.Endpoint endpoint,
            long globalTimeoutMs) {
        this.name = config.name();
        this.protocol = protocol;
        this.endpoint = endpoint;
        this.globalTimeoutMs = globalTimeoutMs;
        this.nonStreamingTotalMs = config.timeouts().nonStreamingTotalMs();
        this.streamingTtftMs = config.timeouts().streamingTtftMs();
        this.streamingTotalMs = config.timeouts().streamingTotalMs();
    }

    @Override
    public CompletionStage<Response> send(ProviderCall call) {
        UpstreamProtocol.Mode mode = protocol.mode(call);
        HttpRequest request;
        try {
            request = protocol.request(call);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        boolean streaming = mode != UpstreamProtocol.Mode.UNARY;
        Long configured = streaming ? streamingTotalMs : nonStreamingTotalMs;
        long timeoutMs = configured == null ? globalTimeoutMs : Math.min(configured, globalTimeoutMs);
        HttpResponse response = endpoint.on(call.eventLoop()).execute(request,
                RequestOptions.builder().responseTimeoutMillis(timeoutMs).build());
        // A client that went away takes the upstream call with it (for a stream, too, before its head).
        call.cancelled().thenRun(response::abort);
        EventExecutor loop = EventLoops.executor(call.eventLoop());
        return streaming ? streaming(call, mode, response, loop, timeoutMs) : unary(call, response, loop, timeoutMs);
    }

    private CompletionStage<Response> unary(ProviderCall call, HttpResponse response, EventExecutor loop,
            long timeoutMs) {
        CompletableFuture<Response> out = new CompletableFuture<>();
        response.aggregate().whenComplete((agg, failure) -> EventLoops.run(loop, () -> {
            if (failure != null) {
                out.completeExceptionally(new GatewayException(UpstreamErrors.fromThrowable(name, failure, timeoutMs)));
                return;
            }
            int status = agg.status().code();
            if (status >= 400) {
                out.completeExceptionally(new GatewayException(protocol.error(status, agg.content().array(),
                        agg.headers().get(HttpHeaderNames.RETRY_AFTER))));
                return;
            }
            try {
                MediaType type = agg.headers().contentType();
                out.complete(protocol.unary(call, status, type == null ? null : type.toString(),
                        agg.content().array()));
            } catch (GatewayException e) {
                out.completeExceptionally(e);
            }
        }));
        return out;
    }

    private CompletionStage<Response> streaming(ProviderCall call, UpstreamProtocol.Mode mode, HttpResponse response,
            EventExecutor loop, long timeoutMs) {
        CompletableFuture<Response> out = new CompletableFuture<>();
        ScheduledFuture<?> ttftTimer = null;
        if (streamingTtftMs != null) {
            GatewayError ttft = GatewayError.timeout("Provider '" + name + "' sent no first token within "
                    + streamingTtftMs + " ms");
            ttftTimer = loop.schedule(() -> response.abort(new GatewayException(ttft)), streamingTtftMs,
                    TimeUnit.MILLISECONDS);
        }
        ScheduledFuture<?> timer = ttftTimer;
        Runnable stopTimer = timer == null ? () -> {} : () -> timer.cancel(false);
        SplitHttpResponse split = response.split();
        split.headers().whenComplete((ResponseHeaders head, Throwable failure) -> EventLoops.run(loop, () -> {
            if (failure != null) {
                stopTimer.run();
                out.completeExceptionally(new GatewayException(UpstreamErrors.fromThrowable(name, failure, timeoutMs)));
                return;
            }
            int status = head.status().code();
            if (status >= 400) {
                stopTimer.run();
                String retryAfter = head.get(HttpHeaderNames.RETRY_AFTER);
                split.body().collect().whenComplete((parts, t) -> EventLoops.run(loop, () -> {
                    byte[] bytes = t == null ? concat(parts) : new byte[0];
                    out.completeExceptionally(new GatewayException(protocol.error(status, bytes, retryAfter)));
                }));
                return;
            }
            GatewayError truncated = new GatewayError(502, "upstream_error", "upstream_stream_truncated",
                    "The stream from provider '" + name + "' ended before it was complete");
            if (mode == UpstreamProtocol.Mode.RAW) {
                MediaType type = head.contentType();
                out.complete(new Response(ResponseHead.raw(status, type == null ? "application/octet-stream"
                        : type.toString()), new UpstreamChunkStream(split.body(), loop, null, null,
                        t -> UpstreamErrors.fromThrowable(name, t, timeoutMs), stopTimer, truncated)));
                return;
            }
            UpstreamChunkStream chunks = new UpstreamChunkStream(split.body(), loop, protocol::decoder,
                    protocol.streamTranslator(call), t -> UpstreamErrors.fromThrowable(name, t, timeoutMs), stopTimer,
                    truncated);
            out.complete(new Response(new ResponseHead(status, true), chunks));
        }));
        return out;
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
