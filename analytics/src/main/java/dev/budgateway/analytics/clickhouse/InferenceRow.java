package dev.budgateway.analytics.clickhouse;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.UpstreamAttempt;

/**
 * One {@code ModelInference} row per upstream attempt: which model and provider, its tokens, how long it took to
 * the first chunk and to the end, what it cost, and how it ended. Its {@code inference_id} is the request's
 * {@code GatewayAnalytics.inference_id}, so the two tables join.
 */
final class InferenceRow {

    /** Marks a queued or spooled line as this table's; request rows are bare JSON, as spools written before. */
    static final String PREFIX = Schema.INFERENCES + "\t";

    private InferenceRow() {}

    static String of(FinishedExchange f, int index, ObservabilitySettings observability) {
        UpstreamAttempt a = f.attempts().get(index);
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        row.put("id", a.id().toString());
        row.put("inference_id", f.inferenceId().toString());
        row.put("request_id", f.requestId());
        row.put("raw_request", "");
        row.put("raw_response", "");
        row.put("model_name", a.target().model());
        row.put("model_provider_name", a.target().provider());
        row.put("input_tokens", a.usage() == null ? null : a.usage().inputTokens());
        row.put("output_tokens", a.usage() == null ? null : a.usage().outputTokens());
        row.put("response_time_ms", a.durationNanos() / 1_000_000);
        row.put("ttft_ms", f.stream() && a.firstChunkNanos() >= 0 ? a.firstChunkNanos() / 1_000_000 : null);
        row.put("timestamp", Dialect.time(f.arrived().plusNanos(a.startNanos())));
        row.put("input_messages", "");
        row.put("output", "");
        row.put("cached", 0);
        row.put("endpoint_type", f.api());
        row.put("attempt", index + 1);
        row.put("is_stream", f.stream() ? 1 : 0);
        GatewayError e = a.error();
        row.put("is_success", e == null && a.status() < 400 ? 1 : 0);
        row.put("served", a.served() ? 1 : 0);
        row.put("status_code", a.status());
        row.put("error_type", e == null ? null : e.type());
        row.put("error_message", e == null ? null : e.message());
        row.put("cost", observability.costOf(f, a));
        return PREFIX + row;
    }
}
