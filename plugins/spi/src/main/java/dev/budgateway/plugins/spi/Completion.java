package dev.budgateway.plugins.spi;

/**
 * How an exchange ended. Delivered to every listener exactly once: after a full response, a local
 * reply, an error or a client cancel.
 *
 * @param status the HTTP status the client got (or would have got, on cancel)
 * @param usage final usage, or the last usage seen; {@code null} when the provider reported none
 * @param error the error the client saw, or {@code null}
 * @param cancelled whether the client went away before the end
 * @param attempts how many upstream attempts were started
 * @param servedBy the candidate whose response reached the client, or {@code null}
 * @param durationNanos from the request's arrival to its end
 * @param firstChunkNanos from arrival to the first body chunk sent, or -1
 */
public record Completion(
        int status,
        Usage usage,
        GatewayError error,
        boolean cancelled,
        int attempts,
        RouteTarget servedBy,
        long durationNanos,
        long firstChunkNanos) {}
