package dev.budgateway.server;

import dev.budgateway.plugins.spi.GatewayError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load shedding: at most {@code gateway.max_concurrent_requests} requests are in the gateway at once, from
 * the arrival of their headers to the end of their response; the next is refused at once with a 503 and
 * {@code Retry-After}. Without a limit, a gateway given more streams than its heap holds does not fail: it
 * spends its time collecting garbage, and every client waits. Refusing early is cheaper for everyone, and a
 * client (all the SDKs retry a 503) or a load balancer can go elsewhere.
 */
final class Admission {

    /**
     * What the default limit allows each request of the heap: a long stream holds ~28 KB of live heap, and a
     * quarter of the heap is kept for bytes waiting for slow clients ({@link ClientDemand}), so at the limit
     * about half the heap is live. A 512 MB heap admits 5,461; 1 GB, 10,922.
     */
    static final long HEAP_BYTES_PER_REQUEST = 96 * 1024;

    /** Below this a default limit would refuse ordinary traffic on a small heap. */
    static final int MIN_DEFAULT_LIMIT = 256;

    /**
     * File descriptors kept for everything but requests: jars, the listening sockets, Redis, ClickHouse,
     * the spool, health checks. Each request holds two more, its client's connection and its upstream's.
     */
    static final long RESERVED_FILES = 256;

    /** A request's client connection and its upstream's (HTTP/1.1 on both sides). */
    static final int SOCKETS_PER_REQUEST = 2;

    private final int limit;
    private final long maxOpenFiles;
    private final GatewayError overloaded;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter shed;

    /** @param limit the configured limit, or 0 for the default from the heap and the file limit */
    Admission(int limit, MeterRegistry registry) {
        this.maxOpenFiles = maxOpenFiles();
        this.limit = limit > 0 ? limit : defaultLimit(Runtime.getRuntime().maxMemory(), maxOpenFiles);
        this.overloaded = new GatewayError(503, "server_error", "overloaded", "The gateway is at its limit of "
                + this.limit + " requests in flight (gateway.max_concurrent_requests); retry shortly",
                Map.of("retry-after", "1"));
        this.shed = Counter.builder("budgateway.requests.shed").description(
                "Requests refused with a 503 because the gateway had gateway.max_concurrent_requests in flight")
                .register(registry);
        Gauge.builder("budgateway.requests.in_flight", inFlight, AtomicInteger::get)
                .description("Requests in the gateway, from their headers to the end of their response")
                .register(registry);
        Gauge.builder("budgateway.requests.in_flight.limit", () -> this.limit)
                .description("gateway.max_concurrent_requests, or its default from the heap and the file limit")
                .register(registry);
    }

    /**
     * What the heap holds, and what the process's file limit leaves sockets for: past it, the next upstream
     * connection cannot be opened ("too many open files"), which fails the request only after its body was
     * read and the chain has run.
     *
     * @param maxOpenFiles the process's file limit, or -1 when unknown
     */
    static int defaultLimit(long maxHeapBytes, long maxOpenFiles) {
        long byHeap = maxHeapBytes / HEAP_BYTES_PER_REQUEST;
        long byFiles = maxOpenFiles > 0 ? (maxOpenFiles - RESERVED_FILES) / SOCKETS_PER_REQUEST : Long.MAX_VALUE;
        return (int) Math.max(MIN_DEFAULT_LIMIT, Math.min(Integer.MAX_VALUE, Math.min(byHeap, byFiles)));
    }

    /** The file limit the JVM runs with (it raises its soft limit to the hard one at start). */
    static long maxOpenFiles() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    int limit() {
        return limit;
    }

    /** The open files that {@link #limit()} requests and everything else need together. */
    long filesNeeded() {
        return SOCKETS_PER_REQUEST * (long) limit + RESERVED_FILES;
    }

    /** The process's file limit, or -1 when unknown. */
    long fileLimit() {
        return maxOpenFiles;
    }

    /** The error a refused request is answered with. */
    GatewayError overloaded() {
        return overloaded;
    }

    /**
     * Whether a new request may come in. When it may, {@link #leave()} must follow exactly once, when it has
     * been answered.
     */
    boolean tryEnter() {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            shed.increment();
            return false;
        }
        return true;
    }

    void leave() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }
}
