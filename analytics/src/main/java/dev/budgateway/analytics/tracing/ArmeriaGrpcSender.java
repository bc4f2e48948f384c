package dev.budgateway.analytics.tracing;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.SessionProtocol;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OTLP exporter's gRPC transport over Armeria's HTTP/2 client, so the gateway needs no second HTTP stack: one
 * unary call per batch, framed as gRPC frames it ({@code application/grpc}, a five-byte prefix), its status read
 * from the trailers.
 */
final class ArmeriaGrpcSender implements GrpcSender {

    private final ClientFactory factory;
    private final WebClient client;
    private final GrpcSenderConfig config;

    ArmeriaGrpcSender(GrpcSenderConfig config) {
        this.config = config;
        URI endpoint = config.getEndpoint();
        boolean tls = "https".equals(endpoint.getScheme());
        this.factory = ClientFactory.builder().connectTimeout(config.getConnectTimeout()).useHttp2Preface(true)
                .build();
        this.client = WebClient.builder(tls ? SessionProtocol.H2 : SessionProtocol.H2C,
                        com.linecorp.armeria.client.endpoint.EndpointGroup.of(
                                com.linecorp.armeria.client.Endpoint.of(endpoint.getHost(), port(endpoint, tls))))
                .factory(factory)
                .responseTimeout(config.getTimeout())
                .build();
    }

    private static int port(URI endpoint, boolean tls) {
        return endpoint.getPort() > 0 ? endpoint.getPort() : tls ? 443 : 4317;
    }

    @Override
    public void send(MessageWriter writer, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        byte[] frame;
        Compressor compressor = config.getCompressor();
        try {
            ByteArrayOutputStream message = new ByteArrayOutputStream(writer.getContentLength() + 5);
            if (compressor == null) {
                writer.writeMessage(message);
            } else {
                try (OutputStream out = compressor.compress(message)) {
                    writer.writeMessage(out);
                }
            }
            byte[] body = message.toByteArray();
            frame = new byte[body.length + 5];
            frame[0] = (byte) (compressor == null ? 0 : 1);
            frame[1] = (byte) (body.length >>> 24);
            frame[2] = (byte) (body.length >>> 16);
            frame[3] = (byte) (body.length >>> 8);
            frame[4] = (byte) body.length;
            System.arraycopy(body, 0, frame, 5, body.length);
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
            return;
        }
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, "/" + config.getFullMethodName())
                .contentType(com.linecorp.armeria.common.MediaType.parse("application/grpc"))
                .set("te", "trailers");
        if (compressor != null) {
            headers.set("grpc-encoding", compressor.getEncoding());
        }
        Map<String, List<String>> extra = config.getHeadersSupplier() == null ? null
                : config.getHeadersSupplier().get();
        if (extra != null) {
            extra.forEach(headers::add);
        }
        client.execute(HttpRequest.of(headers.build(), HttpData.wrap(frame))).aggregate().whenComplete((r, t) -> {
            if (t != null) {
                onError.accept(t);
                return;
            }
            onResponse.accept(response(r));
        });
    }

    /** A trailers-only answer has its status in the headers. */
    private static GrpcResponse response(AggregatedHttpResponse r) {
        HttpHeaders trailers = r.trailers().contains("grpc-status") ? r.trailers() : r.headers();
        String status = trailers.get("grpc-status");
        GrpcStatusCode code;
        if (status == null) {
            code = r.status().code() == 200 ? GrpcStatusCode.UNKNOWN : GrpcStatusCode.UNAVAILABLE;
        } else {
            try {
                code = GrpcStatusCode.fromValue(Integer.parseInt(status.strip()));
            } catch (RuntimeException e) {
                code = GrpcStatusCode.UNKNOWN;
            }
        }
        String message = trailers.get("grpc-message");
        String description = message == null ? "HTTP " + r.status().code()
                : URLDecoder.decode(message.replace("+", "%2B"), StandardCharsets.UTF_8);
        byte[] content = r.content().array();
        byte[] payload = content.length > 5 ? Arrays.copyOfRange(content, 5, content.length) : new byte[0];
        GrpcStatusCode finalCode = code;
        return new GrpcResponse() {
            @Override
            public GrpcStatusCode getStatusCode() {
                return finalCode;
            }

            @Override
            public String getStatusDescription() {
                return description;
            }

            @Override
            public byte[] getResponseMessage() {
                return payload;
            }
        };
    }

    @Override
    public CompletableResultCode shutdown() {
        factory.closeAsync();
        return CompletableResultCode.ofSuccess();
    }
}
