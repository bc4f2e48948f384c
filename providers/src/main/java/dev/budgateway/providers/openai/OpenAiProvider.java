package dev.budgateway.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.RequestOptions;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.SplitHttpResponse;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.providers.EventLoops;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.RequestBodies;
import dev.budgateway.providers.UpstreamClient;
import dev.budgateway.providers.UpstreamErrors;
import dev.budgateway.providers.sse.SseChunkStream;
import io.netty.util.concurrent.EventExecutor;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Any server that speaks OpenAI's API: OpenAI itself, vLLM, SGLang, LiteLLM, Together, ... The request
 * body goes upstream as the client sent it, with {@code model} replaced; streams pass through event by
 * event. The key from {@code api_key_location} is sent as a bearer token; the client's key never is.
 */
public final class OpenAiProvider implements Provider {

    private final String name;
    private final String modelName;
    private final String basePath;
    private final UpstreamClient.Endpoint upstreamEndpoint;
    private final String apiKey;
    private final Map<String, String> extraHeaders;
    private final JsonNode extraBody;
    private final long globalTimeoutMs;
    private final Long nonStreamingTotalMs;
    private final Long streamingTtftMs;
    private final Long streamingTotalMs;

    public OpenAiProvider(ProviderConfig config, URI apiBase, String apiKey, UpstreamClient upstream) {
        this.name = config.name();
        this.modelName = config.modelName();
        String path = apiBase.getRawPath() == null ? "" : apiBase.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.upstreamEndpoint = upstream.endpoint(apiBase);
        this.apiKey = apiKey;
        this.extraHeaders = config.extraHeaders();
        this.extraBody = config.extraBody();
        this.globalTimeoutMs = upstream.globalTimeoutMs();
        this.nonStreamingTotalMs = config.timeouts().nonStreamingTotalMs();
        this.streamingTtftMs = config.timeouts().streamingTtftMs();
        this.streamingTotalMs = config.timeouts().streamingTotalMs();
    }

    @Override
    public CompletionStage<Response> send(ProviderCall call) {
        ObjectNode body = RequestBodies.forUpstream(call.body(), modelName, extraBody);
        boolean stream = call.stream() && call.endpoint() != ApiEndpoint.EMBEDDING;
        if (stream) {
            // The gateway always wants usage (metrics, limits); the client gets it only if it asked.
            ObjectNode options = body.objectNode();
            if (call.body().get("stream_options") instanceof ObjectNode clientOptions) {
                options.setAll(clientOptions);
            }
            options.put("include_usage", true);
            body.set("stream_options", options);
        }
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, basePath + call.endpoint().path())
                .contentType(MediaType.JSON_UTF_8);
        if (apiKey != null) {
            headers.add(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
        }
        if (stream) {
            headers.add(HttpHeaderNames.ACCEPT, "text/event-stream");
        }
        extraHeaders.forEach(headers::add);
        HttpRequest request = HttpRequest.of(headers.build(), HttpData.wrap(Json.bytes(body)));

        Long configured = stream ? streamingTotalMs : nonStreamingTotalMs;
        long timeoutMs = configured == null ? globalTimeoutMs : Math.min(configured, globalTimeoutMs);
        HttpResponse response = upstreamEndpoint.on(call.eventLoop()).execute(request,
                RequestOptions.builder().responseTimeoutMillis(timeoutMs).build());
        // A client that went away takes the upstream call with it (for a stream, too, before its head).
        call.cancelled().thenRun(response::abort);
        EventExecutor loop = EventLoops.executor(call.eventLoop());
        return stream ? streaming(response, loop, timeoutMs) : unary(response, loop, timeoutMs);
    }

    private CompletionStage<Response> unary(HttpResponse response, EventExecutor loop, long timeoutMs) {
        CompletableFuture<Response> out = new CompletableFuture<>();
        response.aggregate().whenComplete((agg, failure) -> EventLoops.run(loop, () -> {
            if (failure != null) {
                out.completeExceptionally(new GatewayException(UpstreamErrors.fromThrowable(name, failure, timeoutMs)));
                return;
            }
            int status = agg.status().code();
            if (status >= 400) {
                out.completeExceptionally(new GatewayException(errorOf(agg)));
                return;
            }
            out.complete(Response.unary(status, Chunk.unary(agg.content().array())));
        }));
        return out;
    }

    private CompletionStage<Response> streaming(HttpResponse response, EventExecutor loop, long timeoutMs) {
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
                    out.completeExceptionally(new GatewayException(
                            UpstreamErrors.fromStatus(name, status, bytes, retryAfter, apiKey)));
                }));
                return;
            }
            SseChunkStream chunks = new SseChunkStream(split.body(), loop,
                    t -> UpstreamErrors.fromThrowable(name, t, timeoutMs), stopTimer,
                    new GatewayError(502, "upstream_error", "upstream_stream_truncated",
                            "The stream from provider '" + name + "' ended before it was complete"));
            out.complete(new Response(new ResponseHead(status, true), chunks));
        }));
        return out;
    }

    private GatewayError errorOf(AggregatedHttpResponse agg) {
        return UpstreamErrors.fromStatus(name, agg.status().code(), agg.content().array(),
                agg.headers().get(HttpHeaderNames.RETRY_AFTER), apiKey);
    }

    private static byte[] concat(java.util.List<HttpData> parts) {
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
