package dev.budgateway.analytics.tracing;

import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.plugins.spi.DependencyState;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK, configured from the standard {@code OTEL_*} variables as the Rust gateway is: spans go over
 * OTLP (gRPC unless {@code OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL} says {@code http/protobuf}) in batches, off the
 * request path; a collector that is slow or away costs dropped spans (the SDK's own queue, 2048 by default),
 * never a request, counted in {@code traces.spans.failed} and shown in {@code /health} as {@code otlp}. Only traces:
 * metrics stay on {@code /metrics}.
 */
public final class TraceExport implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(TraceExport.class);
    /** The variables read, so a gateway started with an environment of its own (tests, embedding) sees them. */
    private static final List<String> VARIABLES = List.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION",
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
            "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_MAX_QUEUE_SIZE",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_PROPAGATORS", "OTEL_SDK_DISABLED");

    private final OpenTelemetrySdk sdk;
    private final RequestSpans spans;
    private final CountingExporter exporter;

    private TraceExport(OpenTelemetrySdk sdk, CountingExporter exporter, ObservabilitySettings observability) {
        this.sdk = sdk;
        this.exporter = exporter;
        this.spans = new RequestSpans(sdk.getTracer("budgateway"), sdk.getPropagators().getTextMapPropagator(),
                observability);
    }

    /**
     * Starts the export when it is asked for: {@code [gateway.export.otlp.traces] enabled = true} (or
     * {@code [observability] traces}), or an OTLP endpoint in the environment; {@code null} otherwise, and when
     * the file turns it off.
     */
    public static TraceExport start(ObservabilitySettings observability, Function<String, String> env,
            MeterRegistry registry) {
        boolean endpoint = present(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") || present(env,
                "OTEL_EXPORTER_OTLP_ENDPOINT");
        if (Boolean.FALSE.equals(observability.traces()) || observability.traces() == null && !endpoint) {
            return null;
        }
        if (!endpoint) {
            logger.warn("Traces are enabled but OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is not set: they go to "
                    + "http://localhost:4317");
        }
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.service.name", "budgateway");
        properties.put("otel.exporter.otlp.protocol", "grpc");
        properties.put("otel.traces.exporter", "otlp");
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        for (String v : VARIABLES) {
            String value = env.apply(v);
            if (value != null && !value.isBlank()) {
                properties.put(v.toLowerCase(Locale.ROOT).replace('_', '.'), value.strip());
            }
        }
        CountingExporter[] counted = new CountingExporter[1];
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties)
                .addSpanExporterCustomizer((exporter, config) -> counted[0] = new CountingExporter(exporter, registry))
                .disableShutdownHook() // the gateway flushes at its own shutdown, after its last request
                .build()
                .getOpenTelemetrySdk();
        logger.info("Traces go over OTLP to {}", properties.getOrDefault("otel.exporter.otlp.traces.endpoint",
                properties.getOrDefault("otel.exporter.otlp.endpoint", "http://localhost:4317")));
        return new TraceExport(sdk, counted[0], observability);
    }

    private static boolean present(Function<String, String> env, String name) {
        String v = env.apply(name);
        return v != null && !v.isBlank();
    }

    public RequestSpans spans() {
        return spans;
    }

    /** The collector as the last batch found it, for {@code /health}'s {@code otlp}. */
    public DependencyState state() {
        return exporter == null ? DependencyState.DOWN : exporter.state();
    }

    /** Exports what is batched (up to 10 s), then stops. */
    @Override
    public void close() {
        sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
}
