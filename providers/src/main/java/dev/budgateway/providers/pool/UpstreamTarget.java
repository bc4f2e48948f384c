package dev.budgateway.providers.pool;

import dev.budgateway.providers.UpstreamClient;
import dev.budgateway.providers.UpstreamUrls;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica of a provider's server: its client, its circuit breaker, whether its health check passes,
 * and its load. Thread-safe.
 */
public final class UpstreamTarget implements Balanced {

    /** How much a new latency sample counts in the average. */
    private static final double EWMA_ALPHA = 0.3;
    /**
     * How fast an estimate fades when no new sample comes (ns): a replica once slow, and so no longer
     * picked, gets tried again after a while instead of being judged on old news forever.
     */
    private static final double DECAY_NANOS = 10e9;

    private final URI base;
    private final String basePath;
    private final UpstreamClient.Endpoint client;
    private final int weight;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean healthy = true;
    private volatile double latencyMs;
    private volatile long sampledAt;

    UpstreamTarget(URI base, UpstreamClient.Endpoint client, int weight, CircuitBreaker breaker) {
        this.base = base;
        this.basePath = UpstreamUrls.basePath(base);
        this.client = client;
        this.weight = weight;
        this.breaker = breaker;
    }

    /** The base URL, e.g. {@code http://vllm-1:8000/v1}. */
    public URI base() {
        return base;
    }

    /** The base URL's path without a trailing slash: what endpoint paths are appended to. */
    public String basePath() {
        return basePath;
    }

    /** {@code host:port} as sent in the Host header. */
    public String authority() {
        return base.getRawAuthority();
    }

    public UpstreamClient.Endpoint client() {
        return client;
    }

    /** The breaker, or {@code null} when breakers are off. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    public boolean healthy() {
        return healthy;
    }

    void healthy(boolean healthy) {
        this.healthy = healthy;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public double latencyMs() {
        double l = latencyMs;
        return l == 0 ? 0 : l * Math.exp(-(System.nanoTime() - sampledAt) / DECAY_NANOS);
    }

    /** A call starts: counted in flight. */
    public void started() {
        inFlight.incrementAndGet();
    }

    /** The answer started after {@code nanos}: the latency estimate moves towards it. */
    public void answered(long nanos) {
        double sample = nanos / 1_000_000.0;
        double current = latencyMs();
        latencyMs = current == 0 ? sample : current + EWMA_ALPHA * (sample - current);
        sampledAt = System.nanoTime();
    }

    /**
     * The call is over. {@code failed} counts against the breaker (a connection failure, a timeout, a 5xx, a
     * broken stream); {@code counted} false gives the breaker's permit back without a verdict (the client left,
     * or the request itself was wrong).
     */
    public void finished(long nanos, boolean counted, boolean failed) {
        inFlight.decrementAndGet();
        if (breaker == null) {
            return;
        }
        if (!counted) {
            breaker.releasePermission();
        } else if (failed) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, UpstreamFailure.INSTANCE);
        } else {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** What the breaker records for a failure: the gateway's own errors carry no exception. */
    static final class UpstreamFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final UpstreamFailure INSTANCE = new UpstreamFailure();

        private UpstreamFailure() {
            super("upstream failure", null, false, false);
        }
    }
}
