package dev.budgateway.providers.pool;

import com.linecorp.armeria.client.RequestOptions;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import dev.budgateway.config.CircuitBreakerConfig;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.config.ProviderPolicy;
import dev.budgateway.config.UpstreamEndpointConfig;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.providers.ProviderContext;
import dev.budgateway.providers.UpstreamClient;
import dev.budgateway.providers.UpstreamUrls;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.netty.util.concurrent.EventExecutor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A provider's replicas ({@code endpoints}, or its one {@code api_base}) and how a call gets one: by the
 * model's balancing strategy among those whose health check passes and whose circuit breaker lets the
 * call through. Runs the active health checks.
 */
public final class EndpointPool implements Balanced, AutoCloseable {

    private final String providerPath;
    private final List<UpstreamTarget> targets;
    private final Balancer balancer;
    private volatile java.util.concurrent.ScheduledFuture<?> healthChecks;

    private EndpointPool(String providerPath, List<UpstreamTarget> targets, Balancer balancer) {
        this.providerPath = providerPath;
        this.targets = List.copyOf(targets);
        this.balancer = balancer;
    }

    public static EndpointPool create(ProviderConfig config, URI base, ProviderContext context,
            List<ConfigProblem> problems) {
        ProviderPolicy policy = config.policy();
        CircuitBreakerConfig breakers = policy.circuitBreaker() != null ? policy.circuitBreaker()
                : context.circuitBreaker();
        List<UpstreamTarget> targets = new ArrayList<>();
        if (policy.endpoints().isEmpty()) {
            targets.add(target(config, base, 1, breakers, context.upstream()));
        } else {
            for (int i = 0; i < policy.endpoints().size(); i++) {
                UpstreamEndpointConfig e = policy.endpoints().get(i);
                URI uri = UpstreamUrls.parse(e.url(), config.path() + ".endpoints[" + i + "].url", problems);
                if (uri != null) {
                    targets.add(target(config, uri, e.weight(), breakers, context.upstream()));
                }
            }
        }
        if (targets.isEmpty()) {
            return null;
        }
        EndpointPool pool = new EndpointPool(config.path(), targets, new Balancer(context.balancing()));
        if (policy.healthCheckPath() != null) {
            pool.startHealthChecks(context.upstream(), policy.healthCheckPath(), policy.healthCheckIntervalMs());
        }
        return pool;
    }

    private static UpstreamTarget target(ProviderConfig config, URI base, int weight, CircuitBreakerConfig breakers,
            UpstreamClient upstream) {
        CircuitBreaker breaker = null;
        if (breakers.enabled()) {
            // N failures in a row open it: a count window of N that must be all failures.
            breaker = CircuitBreaker.of(config.path() + " " + base, io.github.resilience4j.circuitbreaker
                    .CircuitBreakerConfig.custom()
                    .slidingWindowType(SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(breakers.failureThreshold())
                    .minimumNumberOfCalls(breakers.failureThreshold())
                    .failureRateThreshold(100)
                    .waitDurationInOpenState(Duration.ofMillis(Math.round(breakers.timeoutDurationS() * 1000)))
                    .permittedNumberOfCallsInHalfOpenState(breakers.halfOpenMaxCalls())
                    .recordExceptions(Throwable.class)
                    .writableStackTraceEnabled(false)
                    .build());
        }
        return new UpstreamTarget(base, upstream.endpoint(base), weight, breaker);
    }

    public List<UpstreamTarget> targets() {
        return targets;
    }

    /**
     * A replica for one call, its breaker permit taken; the caller must {@link UpstreamTarget#finished} it.
     *
     * @throws dev.budgateway.plugins.spi.GatewayException (503, retryable, code {@code circuit_open} or
     *     {@code no_healthy_endpoint}) when every replica is unhealthy or its breaker open
     */
    public UpstreamTarget acquire(String providerName) {
        if (targets.size() == 1 && targets.get(0).breaker() == null && targets.get(0).healthy()) {
            UpstreamTarget only = targets.get(0);
            only.started();
            return only;
        }
        List<UpstreamTarget> candidates = new ArrayList<>(targets.size());
        for (UpstreamTarget t : targets) {
            if (t.healthy()) {
                candidates.add(t);
            }
        }
        boolean anyHealthy = !candidates.isEmpty();
        while (!candidates.isEmpty()) {
            UpstreamTarget pick = candidates.get(balancer.pick(candidates));
            if (pick.breaker() == null || pick.breaker().tryAcquirePermission()) {
                pick.started();
                return pick;
            }
            candidates.remove(pick);
        }
        String code = anyHealthy ? "circuit_open" : "no_healthy_endpoint";
        throw new GatewayError(503, "upstream_error", code, "Provider '" + providerName + "' is not taking requests "
                + "now: " + (anyHealthy ? "its circuit breaker is open after repeated failures"
                        : "its health check fails")).toException();
    }

    @Override
    public int weight() {
        return 1;
    }

    @Override
    public int inFlight() {
        int n = 0;
        for (UpstreamTarget t : targets) {
            n += t.inFlight();
        }
        return n;
    }

    @Override
    public double latencyMs() {
        double best = 0;
        for (UpstreamTarget t : targets) {
            if (t.latencyMs() > 0 && (best == 0 || t.latencyMs() < best)) {
                best = t.latencyMs();
            }
        }
        return best;
    }

    /** Each replica's {@code GET {origin}{path}} every interval: 2xx is healthy, anything else is not. */
    private void startHealthChecks(UpstreamClient upstream, String path, long intervalMs) {
        EventExecutor loop = upstream.scheduler();
        long timeoutMs = Math.max(100, Math.min(intervalMs, 5_000));
        healthChecks = loop.scheduleWithFixedDelay(() -> {
            for (UpstreamTarget t : targets) {
                try {
                    t.client().on(loop).execute(HttpRequest.of(HttpMethod.GET, path),
                            RequestOptions.builder().responseTimeoutMillis(timeoutMs).build())
                            .aggregate()
                            .whenComplete((response, failure) -> t.healthy(failure == null
                                    && response.status().isSuccess()));
                } catch (RuntimeException e) {
                    t.healthy(false); // The client is closing: the gateway is shutting down.
                }
            }
        }, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Stops the health checks. */
    @Override
    public void close() {
        var checks = healthChecks;
        if (checks != null) {
            checks.cancel(false);
        }
    }

    @Override
    public String toString() {
        return providerPath;
    }
}
