package dev.budgateway.plugins.spi;

import java.util.UUID;

/**
 * One upstream attempt of an exchange that has ended: what a record of model inferences (a row, a span) needs.
 *
 * @param id a UUIDv7 naming the attempt (its {@code ModelInference} row, its span's {@code model_inference.id})
 * @param target the candidate tried
 * @param startNanos from the request's arrival to the attempt's start
 * @param durationNanos from the attempt's start to its end: its last byte, its failure, or the client's cancel
 * @param firstChunkNanos from the attempt's start to the first body chunk the client got from it, or -1
 * @param status the status the provider answered with, or the gateway's for a failure before an answer
 * @param usage what the provider reported, or {@code null}
 * @param error why the attempt failed, or {@code null}
 * @param served whether its response reached the client
 */
public record UpstreamAttempt(UUID id, RouteTarget target, long startNanos, long durationNanos, long firstChunkNanos,
        int status, Usage usage, GatewayError error, boolean served) {}
