package dev.budgateway.analytics.tracing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.analytics.RequestFacts;
import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.UpstreamAttempt;
import dev.budgateway.plugins.spi.Usage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The spans of one finished request, made when it ends with the times it had, so nothing is traced on the request
 * path: a server span, continuing the client's W3C trace context; under it the Rust gateway's
 * {@code gateway_analytics} span with its {@code gateway_analytics.*} attributes; under that, when an upstream was
 * tried, its {@code <name>_handler_observability} span with {@code model_inference.*} and
 * {@code model_inference_details.*}; and a client span per upstream attempt with the GenAI conventions'
 * {@code gen_ai.*}. budmetrics joins the two named spans on their trace id.
 */
public final class RequestSpans {

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final TextMapGetter<Function<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return List.of("traceparent", "tracestate", "baggage");
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };
    /** The Rust gateway's handler span names, by the API the client called; others are named after their API. */
    private static final Map<String, String> HANDLERS = Map.of("chat", "inference", "completions", "completion",
            "messages", "anthropic", "responses", "response_create");
    /** GenAI operation names, by API. */
    private static final Map<String, String> OPERATIONS = Map.of("chat", "chat", "messages", "chat", "completions",
            "text_completion", "embedding", "embeddings", "responses", "chat");

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final ObservabilitySettings observability;

    public RequestSpans(Tracer tracer, TextMapPropagator propagator, ObservabilitySettings observability) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.observability = observability;
    }

    /**
     * Makes and ends the request's spans.
     *
     * @param header the request's headers, for the client's trace context
     * @return the trace id
     */
    public String emit(FinishedExchange f, Function<String, String> header) {
        Context parent = propagator.extract(Context.root(), header, HEADERS);
        Completion c = f.completion();
        RequestFacts facts = RequestFacts.of(f, observability);
        Instant end = f.ended();
        Instant start = f.arrived();
        String method = facts.method() == null ? "POST" : facts.method();
        String route = facts.path() == null ? "/" + f.api() : facts.path().startsWith("/v1/models/")
                ? "/v1/models/{model}" : facts.path();
        Span server = timed(tracer.spanBuilder(method + " " + route), parent, start).setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", method)
                .setAttribute("http.route", route)
                .setAttribute("url.path", facts.path() == null ? route : facts.path())
                .setAttribute("http.response.status_code", (long) c.status())
                .startSpan();
        set(server, "client.address", facts.clientIp());
        set(server, "user_agent.original", facts.userAgent());
        set(server, "budgateway.request_id", f.requestId());
        if (c.status() >= 500) {
            server.setStatus(StatusCode.ERROR);
            server.setAttribute("error.type", Integer.toString(c.status()));
        }
        Context inServer = parent.with(server);
        Span analytics = timed(tracer.spanBuilder("gateway_analytics"), inServer, start).startSpan();
        gatewayAnalytics(analytics, f, facts, start, end);
        if (!f.attempts().isEmpty() && f.inferenceId() != null) {
            Context inAnalytics = inServer.with(analytics);
            String name = HANDLERS.getOrDefault(f.api(), f.api()) + "_handler_observability";
            Span handler = timed(tracer.spanBuilder(name), inAnalytics, start).startSpan();
            handler(handler, f, facts, start);
            Context inHandler = inAnalytics.with(handler);
            for (int i = 0; i < f.attempts().size(); i++) {
                attempt(inHandler, f, i, start);
            }
            handler.end(epochNanos(end), TimeUnit.NANOSECONDS);
        }
        long endNanos = epochNanos(end);
        analytics.end(endNanos, TimeUnit.NANOSECONDS);
        server.end(endNanos, TimeUnit.NANOSECONDS);
        return server.getSpanContext().getTraceId();
    }

    private void gatewayAnalytics(Span s, FinishedExchange f, RequestFacts facts, Instant start, Instant end) {
        Completion c = f.completion();
        String p = "gateway_analytics.";
        s.setAttribute(p + "id", f.id().toString());
        set(s, p + "inference_id", f.inferenceId() == null ? null : f.inferenceId().toString());
        set(s, p + "client_ip", facts.clientIp() == null ? "unknown" : facts.clientIp());
        set(s, p + "proxy_chain", facts.info() == null ? null : facts.info().proxyChain());
        set(s, p + "protocol_version", facts.protocol());
        if (facts.bodyBytes() != null) {
            s.setAttribute(p + "body_size", facts.bodyBytes().longValue());
        }
        ClientInfo.Geo geo = facts.geo();
        if (geo != null) {
            set(s, p + "country_code", geo.countryCode());
            set(s, p + "country_name", geo.countryName());
            set(s, p + "region", geo.region());
            set(s, p + "city", geo.city());
            if (geo.latitude() != null) {
                s.setAttribute(p + "latitude", geo.latitude().doubleValue());
            }
            if (geo.longitude() != null) {
                s.setAttribute(p + "longitude", geo.longitude().doubleValue());
            }
            set(s, p + "timezone", geo.timezone());
            if (geo.asn() != null) {
                s.setAttribute(p + "asn", geo.asn().longValue());
            }
            set(s, p + "isp", geo.organization());
        }
        set(s, p + "user_agent", facts.userAgent());
        ClientInfo.Agent agent = facts.agent();
        if (agent != null) {
            set(s, p + "device_type", agent.deviceType());
            set(s, p + "browser_name", agent.browserName());
            set(s, p + "browser_version", agent.browserVersion());
            set(s, p + "os_name", agent.osName());
            set(s, p + "os_version", agent.osVersion());
        }
        s.setAttribute(p + "is_bot", agent != null && agent.bot());
        set(s, p + "method", facts.method());
        set(s, p + "path", facts.path());
        ObjectNode headers = JsonNodeFactory.instance.objectNode();
        facts.headers().forEach(headers::put);
        s.setAttribute(p + "request_headers", headers.toString());
        s.setAttribute(p + "request_timestamp", RFC3339.format(start));
        Identity id = facts.identity();
        if (id != null) {
            set(s, p + "api_key_id", id.apiKeyId());
            set(s, p + "auth_method", id.method());
            set(s, p + "user_id", id.userId());
            set(s, p + "project_id", id.projectId());
            // The control plane's identifiers, as the Rust gateway's auth puts them in baggage.
            set(s, "bud.api_key_id", id.apiKeyId());
            set(s, "bud.user_id", id.userId());
            set(s, "bud.project_id", id.projectId());
            set(s, "bud.api_key_project_id", id.projectId());
        }
        set(s, p + "endpoint_id", facts.endpointId());
        set(s, "bud.endpoint_id", facts.endpointId());
        s.setAttribute(p + "response_timestamp", RFC3339.format(end));
        s.setAttribute(p + "total_duration_ms", c.durationNanos() / 1_000_000);
        s.setAttribute(p + "gateway_processing_ms", facts.gatewayProcessingMs());
        s.setAttribute(p + "status_code", (long) c.status());
        s.setAttribute(p + "response_headers", "{}");
        set(s, p + "model_name", facts.model());
        set(s, p + "model_provider", c.servedBy() == null ? null : c.servedBy().provider());
        set(s, p + "routing_decision", RequestFacts.routingDecision(c));
        usage(s, c.usage());
        if (facts.cost() != null) {
            s.setAttribute("gen_ai.inference_cost", facts.cost());
        }
        GatewayError e = c.error();
        if (e != null || c.status() >= 400) {
            String type = e != null ? e.type() : Integer.toString(c.status());
            String message = e != null ? e.message() : "HTTP " + c.status();
            s.setAttribute(p + "error_type", type);
            s.setAttribute(p + "error_message", message);
            s.setStatus(StatusCode.ERROR, message);
        }
        s.setAttribute(p + "is_blocked", facts.blocked());
        set(s, p + "block_reason", facts.blockReason());
        set(s, p + "block_rule_id", facts.blockRuleId());
        s.setAttribute(p + "tags", "{}");
    }

    private void handler(Span s, FinishedExchange f, RequestFacts facts, Instant start) {
        Completion c = f.completion();
        UpstreamAttempt main = f.servedAttempt();
        if (main == null) {
            main = f.attempts().get(f.attempts().size() - 1);
        }
        String mi = "model_inference.";
        s.setAttribute(mi + "id", main.id().toString());
        s.setAttribute(mi + "inference_id", f.inferenceId().toString());
        s.setAttribute(mi + "model_name", main.target().model());
        s.setAttribute(mi + "model_provider_name", main.target().provider());
        if (main.usage() != null) {
            s.setAttribute(mi + "input_tokens", main.usage().inputTokens());
            s.setAttribute(mi + "output_tokens", main.usage().outputTokens());
        }
        s.setAttribute(mi + "response_time_ms", main.durationNanos() / 1_000_000);
        if (f.stream() && main.firstChunkNanos() >= 0) {
            s.setAttribute(mi + "ttft_ms", main.firstChunkNanos() / 1_000_000);
        }
        s.setAttribute(mi + "timestamp", start.plusNanos(main.startNanos()).getEpochSecond());
        s.setAttribute(mi + "cached", false);
        s.setAttribute(mi + "endpoint_type", f.api());
        String d = "model_inference_details.";
        s.setAttribute(d + "inference_id", f.inferenceId().toString());
        set(s, d + "request_ip", facts.clientIp());
        Identity id = facts.identity();
        if (id != null) {
            set(s, d + "project_id", id.projectId());
            set(s, d + "api_key_id", id.apiKeyId());
            set(s, d + "user_id", id.userId());
            set(s, d + "api_key_project_id", id.projectId());
        }
        set(s, d + "endpoint_id", facts.endpointId());
        set(s, d + "model_id", facts.endpointId());
        boolean success = c.error() == null && c.status() < 400 && !c.cancelled();
        s.setAttribute(d + "is_success", success);
        s.setAttribute(d + "request_arrival_time", RFC3339.format(start));
        s.setAttribute(d + "request_forward_time", RFC3339.format(start.plusNanos(f.attempts().get(0).startNanos())));
        Double cost = observability.costOf(f, main);
        if (cost != null) {
            s.setAttribute(d + "cost", cost);
        }
        s.setAttribute(d + "status_code", (long) c.status());
        GatewayError e = c.error();
        if (e != null) {
            s.setAttribute(d + "error_code", e.code());
            s.setAttribute(d + "error_message", e.message());
            s.setAttribute(d + "error_type", e.type());
            s.setAttribute("error.type", e.type());
            s.setAttribute("error.message", e.message());
            s.setStatus(StatusCode.ERROR, e.message());
        }
        s.setAttribute("gen_ai.operation.name", OPERATIONS.getOrDefault(f.api(), f.api()));
        set(s, "gen_ai.request.model", facts.model());
        usage(s, c.usage());
    }

    private void attempt(Context parent, FinishedExchange f, int index, Instant requestStart) {
        UpstreamAttempt a = f.attempts().get(index);
        String operation = OPERATIONS.getOrDefault(f.api(), f.api());
        Instant start = requestStart.plusNanos(a.startNanos());
        Span s = timed(tracer.spanBuilder(operation + " " + a.target().model()), parent, start)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("gen_ai.operation.name", operation)
                .setAttribute("gen_ai.request.model", a.target().model())
                .setAttribute("gen_ai.provider.name", a.target().provider())
                .setAttribute("budgateway.attempt", (long) index + 1)
                .setAttribute("budgateway.served", a.served())
                .setAttribute("http.response.status_code", (long) a.status())
                .setAttribute("model_inference.id", a.id().toString())
                .startSpan();
        usage(s, a.usage());
        if (a.firstChunkNanos() >= 0) {
            s.setAttribute("gen_ai.server.time_to_first_token", a.firstChunkNanos() / 1e9);
        }
        Double cost = observability.costOf(f, a);
        if (cost != null) {
            s.setAttribute("gen_ai.usage.cost", cost);
        }
        if (a.error() != null) {
            s.setAttribute("error.type", a.error().type());
            s.setStatus(StatusCode.ERROR, a.error().message());
        }
        s.end(epochNanos(start.plusNanos(a.durationNanos())), TimeUnit.NANOSECONDS);
    }

    private static SpanBuilder timed(SpanBuilder b, Context parent, Instant start) {
        return b.setParent(parent).setStartTimestamp(epochNanos(start), TimeUnit.NANOSECONDS);
    }

    private static void usage(Span s, Usage usage) {
        if (usage != null) {
            s.setAttribute("gen_ai.usage.input_tokens", usage.inputTokens());
            s.setAttribute("gen_ai.usage.output_tokens", usage.outputTokens());
            s.setAttribute("gen_ai.usage.total_tokens", usage.totalTokens());
        }
    }

    private static void set(Span s, String key, String value) {
        if (value != null) {
            s.setAttribute(key, value);
        }
    }

    private static long epochNanos(Instant t) {
        return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
    }
}
