package dev.budgateway.analytics.tracing;

import dev.budgateway.plugins.spi.DependencyState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/**
 * The OTLP exporter, counted: spans exported and spans whose batch the collector did not take, and the collector's
 * state for {@code /health} from the last batch ({@code ok} after a success, {@code degraded} after a failure,
 * {@code down} before the first).
 */
final class CountingExporter implements SpanExporter {

    private final SpanExporter delegate;
    private final Counter exported;
    private final Counter failed;
    private volatile DependencyState state = DependencyState.DOWN;

    CountingExporter(SpanExporter delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.exported = Counter.builder("traces.spans.exported").description("Spans the OTLP collector took")
                .register(registry);
        this.failed = Counter.builder("traces.spans.failed")
                .description("Spans in batches the OTLP collector did not take (not retried)").register(registry);
    }

    DependencyState state() {
        return state;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        CompletableResultCode result = delegate.export(spans);
        int n = spans.size();
        result.whenComplete(() -> {
            if (result.isSuccess()) {
                exported.increment(n);
                state = DependencyState.OK;
            } else {
                failed.increment(n);
                state = DependencyState.DEGRADED;
            }
        });
        return result;
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}
