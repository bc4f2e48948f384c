package dev.budgateway.plugins.spi;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One exchange that has ended, as a {@link CompletionSink} sees it.
 *
 * @param requestId the id the client got back in {@code x-request-id}
 * @param api the API the client called: {@code chat}, {@code messages}, {@code embeddings}, ...
 * @param stream whether a stream was asked for
 * @param exchange the exchange, with every key the chain set; {@code null} when the request was refused
 *     before the chain (unreadable, too large, invalid)
 * @param completion how it ended
 * @param attempts the upstream attempts, in the order they started; empty when none was made
 * @param id a UUIDv7 naming the request's records: its {@code GatewayAnalytics} row, its
 *     {@code gateway_analytics} span
 * @param ended when it ended; it arrived {@code completion.durationNanos()} before
 * @param inferenceId a UUIDv7 naming the inference when an upstream was tried, else {@code null}
 * @param traceId the OpenTelemetry trace the request's spans belong to, or {@code null} when traces are off
 */
public record FinishedExchange(String requestId, String api, boolean stream, Exchange exchange,
        Completion completion, List<UpstreamAttempt> attempts, UUID id, Instant ended, UUID inferenceId,
        String traceId) {

    public FinishedExchange {
        attempts = List.copyOf(attempts);
    }

    /** An exchange that ended now, without attempts or a trace. */
    public FinishedExchange(String requestId, String api, boolean stream, Exchange exchange, Completion completion) {
        this(requestId, api, stream, exchange, completion, List.of(), Instant.now());
    }

    /** An exchange that ended at {@code ended}, named by fresh ids. */
    public FinishedExchange(String requestId, String api, boolean stream, Exchange exchange, Completion completion,
            List<UpstreamAttempt> attempts, Instant ended) {
        this(requestId, api, stream, exchange, completion, attempts,
                Uuid7.at(ended.minusNanos(completion.durationNanos()).toEpochMilli()), ended,
                attempts.isEmpty() ? null : Uuid7.at(ended.minusNanos(completion.durationNanos()).toEpochMilli()),
                null);
    }

    /** When the request arrived. */
    public Instant arrived() {
        return ended.minusNanos(completion.durationNanos());
    }

    /** The attempt whose response reached the client, or {@code null}. */
    public UpstreamAttempt servedAttempt() {
        for (UpstreamAttempt a : attempts) {
            if (a.served()) {
                return a;
            }
        }
        return null;
    }

    /** The gateway's own share of the request's time (filters, retries' waits): its duration less its upstreams'. */
    public long gatewayNanos() {
        return Math.max(0, completion.durationNanos() - upstreamNanos());
    }

    /**
     * How long the request waited on upstreams: the union of its attempts' spans, so overlapping attempts count
     * once.
     */
    public long upstreamNanos() {
        long total = 0;
        long coveredTo = Long.MIN_VALUE;
        // Attempts are in start order: each adds what it reaches past the ones before it.
        for (UpstreamAttempt a : attempts) {
            long end = a.startNanos() + a.durationNanos();
            long from = Math.max(a.startNanos(), coveredTo);
            if (end > from) {
                total += end - from;
            }
            coveredTo = Math.max(coveredTo, end);
        }
        return total;
    }

    /** The same exchange, with the trace its spans went to. */
    public FinishedExchange withTraceId(String trace) {
        return new FinishedExchange(requestId, api, stream, exchange, completion, attempts, id, ended, inferenceId,
                trace);
    }
}
