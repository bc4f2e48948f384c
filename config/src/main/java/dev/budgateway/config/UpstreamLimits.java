package dev.budgateway.config;

/**
 * How much the gateway takes from an upstream before it gives up on that answer with a 502 (never the
 * process): these bound the memory one misbehaving upstream can make the gateway hold.
 *
 * @param maxBodyBytes the largest non-streamed answer, held whole before it is sent on
 * @param maxStreamBytes the most a stream may carry in all, or 0 for no limit (streams are passed on as
 *     they come, so their length costs no memory)
 * @param maxEventBytes the largest single event of a stream (an SSE event or an event-stream frame),
 *     which must be held whole before it can be read
 */
public record UpstreamLimits(long maxBodyBytes, long maxStreamBytes, long maxEventBytes) {

    public static final long DEFAULT_MAX_BODY_BYTES = 64L * 1024 * 1024;
    public static final long DEFAULT_MAX_EVENT_BYTES = 8L * 1024 * 1024;

    public static final UpstreamLimits DEFAULTS = new UpstreamLimits(DEFAULT_MAX_BODY_BYTES, 0,
            DEFAULT_MAX_EVENT_BYTES);
}
