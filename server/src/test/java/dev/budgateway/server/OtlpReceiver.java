package dev.budgateway.server;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP trace receiver: the collector's gRPC service ({@code TraceService/Export}, HTTP/2 cleartext) and its
 * OTLP/HTTP endpoint ({@code /v1/traces}, protobuf), decoding with the OTLP protocol's own classes.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One received span, with what the tests look at. */
    record Received(String name, String traceId, String spanId, String parentSpanId, Span.SpanKind kind,
            Map<String, String> attributes, String service, long startNanos, long endNanos, int statusCode) {}

    final List<Received> spans = new CopyOnWriteArrayList<>();
    private final Server server;

    OtlpReceiver() {
        this(0);
    }

    /** @param port the port to listen on, 0 for a free one */
    OtlpReceiver(int port) {
        server = Server.builder()
                .http(port)
                .service("/opentelemetry.proto.collector.trace.v1.TraceService/Export", (ctx, req) ->
                        HttpResponse.of(req.aggregate().thenApply(agg -> {
                            byte[] frame = agg.content().array();
                            receive(Arrays.copyOfRange(frame, 5, frame.length));
                            byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                            byte[] out = new byte[reply.length + 5];
                            out[4] = (byte) reply.length;
                            System.arraycopy(reply, 0, out, 5, reply.length);
                            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK)
                                    .contentType(MediaType.parse("application/grpc")).build(), HttpData.wrap(out),
                                    HttpHeaders.of("grpc-status", "0"));
                        })))
                .service("/v1/traces", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
                    receive(agg.content().array());
                    return HttpResponse.of(HttpStatus.OK, MediaType.parse("application/x-protobuf"),
                            ExportTraceServiceResponse.getDefaultInstance().toByteArray());
                })))
                .build();
        server.start().join();
    }

    private void receive(byte[] message) {
        try {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(message);
            for (ResourceSpans rs : request.getResourceSpansList()) {
                String service = "";
                for (KeyValue kv : rs.getResource().getAttributesList()) {
                    if (kv.getKey().equals("service.name")) {
                        service = kv.getValue().getStringValue();
                    }
                }
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span s : ss.getSpansList()) {
                        Map<String, String> attributes = new LinkedHashMap<>();
                        for (KeyValue kv : s.getAttributesList()) {
                            attributes.put(kv.getKey(), text(kv.getValue()));
                        }
                        spans.add(new Received(s.getName(), hex(s.getTraceId().toByteArray()),
                                hex(s.getSpanId().toByteArray()), hex(s.getParentSpanId().toByteArray()), s.getKind(),
                                attributes, service, s.getStartTimeUnixNano(), s.getEndTimeUnixNano(),
                                s.getStatus().getCodeValue()));
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("not an OTLP trace export", e);
        }
    }

    /** As the collector's ClickHouse exporter writes attributes: text, numbers and booleans as their text. */
    private static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> v.toString();
        };
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** {@code http://127.0.0.1:port}: the gRPC endpoint, and with {@code /v1/traces} the HTTP one. */
    String endpoint() {
        return "http://127.0.0.1:" + server.activeLocalPort();
    }

    List<Received> named(String name) {
        return spans.stream().filter(s -> s.name().equals(name)).toList();
    }

    int port() {
        return server.activeLocalPort();
    }

    @Override
    public void close() {
        server.stop().join();
    }
}
