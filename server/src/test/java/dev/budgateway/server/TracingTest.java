package dev.budgateway.server;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spans exported over OTLP to a real receiver: the names, parentage and attributes budmetrics' pipeline reads
 * (it joins {@code gateway_analytics} with {@code *_handler_observability} on the trace id), the client's trace
 * context continued, and requests unaffected by a collector that is away.
 */
class TracingTest {

    @RegisterExtension
    static final GatewayFixture fx = new GatewayFixture();
    static final MockOpenAi a = fx.a();
    static final String CHAT = "{\"model\":\"mock\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    static final String CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    static final String CLIENT_SPAN = "b7ad6b7169203331";
    OtlpReceiver receiver;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }

    TestGateway gateway(Map<String, String> env) throws Exception {
        return fx.start(TestGateway.mockModel(a) + "[models.mock.pricing]\ninput_cost = 1.0\noutput_cost = 2.0\n"
                + "per_tokens = 1000\n", env);
    }

    static OtlpReceiver.Received only(List<OtlpReceiver.Received> spans, String traceId) {
        List<OtlpReceiver.Received> of = spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
        assertEquals(1, of.size(), of.toString());
        return of.get(0);
    }

    @Test
    void aRequestsSpansContinueTheClientsTraceWithTheRustGatewaysNamesAndAttributes() throws Exception {
        receiver = new OtlpReceiver();
        TestGateway gw = gateway(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "50"));
        HttpResponse<String> r = gw.post("/v1/chat/completions", CHAT, "traceparent",
                "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01", "user-agent", "OpenAI/Python 1.40.0");
        assertEquals(200, r.statusCode(), r.body());
        within(10_000, () -> receiver.spans.size() >= 4, "four spans");

        OtlpReceiver.Received server = only(receiver.named("POST /v1/chat/completions"), CLIENT_TRACE);
        assertEquals(SpanKind.SPAN_KIND_SERVER, server.kind());
        assertEquals(CLIENT_SPAN, server.parentSpanId(), "the client's span is the parent");
        assertEquals("budgateway", server.service());
        assertEquals("200", server.attributes().get("http.response.status_code"));

        OtlpReceiver.Received analytics = only(receiver.named("gateway_analytics"), CLIENT_TRACE);
        assertEquals(server.spanId(), analytics.parentSpanId());
        Map<String, String> ga = analytics.attributes();
        assertEquals("mock", ga.get("gateway_analytics.model_name"));
        assertEquals("up", ga.get("gateway_analytics.model_provider"));
        assertEquals("200", ga.get("gateway_analytics.status_code"));
        assertEquals("/v1/chat/completions", ga.get("gateway_analytics.path"));
        assertEquals("POST", ga.get("gateway_analytics.method"));
        assertEquals("127.0.0.1", ga.get("gateway_analytics.client_ip"));
        assertEquals("first", ga.get("gateway_analytics.routing_decision"));
        assertEquals("false", ga.get("gateway_analytics.is_blocked"));
        assertEquals("OpenAI/Python 1.40.0", ga.get("gateway_analytics.user_agent"));
        assertEquals("7", ga.get("gen_ai.usage.input_tokens"));
        assertEquals("3", ga.get("gen_ai.usage.output_tokens"));
        assertEquals("10", ga.get("gen_ai.usage.total_tokens"));
        assertEquals(0.013, Double.parseDouble(ga.get("gen_ai.inference_cost")), 1e-9);
        assertTrue(Long.parseLong(ga.get("gateway_analytics.gateway_processing_ms"))
                <= Long.parseLong(ga.get("gateway_analytics.total_duration_ms")), ga.toString());
        assertTrue(ga.get("gateway_analytics.request_timestamp").endsWith("Z"), ga.toString());
        assertTrue(ga.get("gateway_analytics.id").charAt(14) == '7', "a UUIDv7");

        OtlpReceiver.Received handler = only(receiver.named("inference_handler_observability"), CLIENT_TRACE);
        assertEquals(analytics.spanId(), handler.parentSpanId());
        Map<String, String> h = handler.attributes();
        assertEquals(ga.get("gateway_analytics.inference_id"), h.get("model_inference_details.inference_id"),
                "budmetrics joins on it");
        assertEquals("mock", h.get("model_inference.model_name"));
        assertEquals("up", h.get("model_inference.model_provider_name"));
        assertEquals("7", h.get("model_inference.input_tokens"));
        assertEquals("3", h.get("model_inference.output_tokens"));
        assertEquals("chat", h.get("model_inference.endpoint_type"));
        assertEquals("true", h.get("model_inference_details.is_success"));
        assertEquals(0.013, Double.parseDouble(h.get("model_inference_details.cost")), 1e-9);
        assertTrue(h.containsKey("model_inference.response_time_ms"), h.toString());
        assertTrue(!h.containsKey("model_inference.ttft_ms"), "only streams have a time to first token");

        OtlpReceiver.Received call = only(receiver.named("chat mock"), CLIENT_TRACE);
        assertEquals(SpanKind.SPAN_KIND_CLIENT, call.kind());
        assertEquals(handler.spanId(), call.parentSpanId());
        assertEquals("mock", call.attributes().get("gen_ai.request.model"));
        assertEquals("up", call.attributes().get("gen_ai.provider.name"));
        assertEquals("chat", call.attributes().get("gen_ai.operation.name"));
        assertEquals(h.get("model_inference.id"), call.attributes().get("model_inference.id"));
        assertTrue(call.startNanos() >= server.startNanos() && call.endNanos() <= server.endNanos(),
                "the attempt lies within the request");
        assertTrue(!receiver.spans.toString().contains("hi\""), "no body in a span");
    }

    @Test
    void streamsCarryTheirTimeToFirstTokenAndFailuresTheirErrorOverOtlpHttp() throws Exception {
        receiver = new OtlpReceiver();
        TestGateway gw = gateway(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "50",
                "OTEL_SERVICE_NAME", "gw-test"));
        assertEquals(200, gw.post("/v1/chat/completions", CHAT.replace("}]}", "}],\"stream\":true}")).statusCode());
        assertEquals(404, gw.post("/v1/chat/completions", CHAT.replace("\"mock\"", "\"nope\"")).statusCode());
        within(10_000, () -> receiver.named("gateway_analytics").size() == 2, "two requests");
        OtlpReceiver.Received handler = receiver.named("inference_handler_observability").get(0);
        assertEquals("gw-test", handler.service());
        assertTrue(handler.attributes().containsKey("model_inference.ttft_ms"), handler.toString());
        OtlpReceiver.Received missing = receiver.named("gateway_analytics").stream()
                .filter(s -> "404".equals(s.attributes().get("gateway_analytics.status_code"))).findFirst().orElseThrow();
        assertEquals(2, missing.statusCode(), "an error status");
        assertTrue(missing.attributes().containsKey("gateway_analytics.error_type"), missing.toString());
        assertEquals(1, receiver.named("inference_handler_observability").size(),
                "no handler span without an upstream");
        assertNotEquals(missing.traceId(), handler.traceId(), "a new trace per request without a client context");
    }

    @Test
    void aCollectorStoppedMidRunCostsRequestsNothingAndIsCountedAndShownUntilItIsBack() throws Exception {
        receiver = new OtlpReceiver();
        int port = receiver.port();
        TestGateway gw = gateway(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "50", "OTEL_EXPORTER_OTLP_TIMEOUT", "1000"));
        assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        within(10_000, () -> receiver.named("gateway_analytics").size() == 1, "spans arrive");
        within(5_000, () -> otlp(gw).equals("ok"), "otlp ok in /health");

        receiver.close();
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        }
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "no request waited on the collector");
        within(10_000, () -> otlp(gw).equals("degraded"), "otlp degraded in /health");
        within(5_000, () -> metric(gw, "traces_spans_failed_total") > 0, "the lost spans are counted");

        receiver = new OtlpReceiver(port);
        assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        within(10_000, () -> receiver.named("gateway_analytics").size() >= 1, "spans arrive again");
        within(5_000, () -> otlp(gw).equals("ok"), "otlp ok again");
    }

    static String otlp(TestGateway gw) {
        try {
            return TestGateway.json(gw.get("/health").body()).path("dependencies").path("otlp")
                    .asText();
        } catch (Exception e) {
            return "";
        }
    }

    static double metric(TestGateway gw, String name) {
        try {
            return gw.get("/metrics").body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void aCollectorThatIsAwayCostsRequestsNothing() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        TestGateway gw = gateway(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + closed,
                "OTEL_BSP_SCHEDULE_DELAY", "50"));
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertEquals(200, gw.post("/v1/chat/completions", CHAT).statusCode());
        }
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "no request waited on the collector");
    }
}
