package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.ModelProvider;
import dev.budgateway.providers.pool.UpstreamTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * What the gateway knows of each upstream replica (health check, circuit breaker, load), for
 * {@code /health}, {@code /admin/upstreams} and {@code /metrics}.
 */
final class UpstreamStates {

    private final ModelCatalog catalog;

    UpstreamStates(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /** One entry per replica of every configured provider. */
    ArrayNode list() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (CatalogModel m : catalog.configured()) {
            for (ModelProvider p : m.providers()) {
                for (UpstreamTarget t : p.provider().targets()) {
                    ObjectNode e = out.addObject();
                    e.put("model", m.name());
                    e.put("provider", p.target().provider());
                    e.put("url", t.base().toString());
                    e.put("healthy", t.healthy());
                    e.put("circuit", circuit(t));
                    e.put("in_flight", t.inFlight());
                    e.put("latency_ms", Math.round(t.latencyMs() * 10) / 10.0);
                }
            }
        }
        return out;
    }

    /** How many replicas of a {@link #list()} are out of rotation (failing their health check, or open). */
    static int unavailable(ArrayNode list) {
        int n = 0;
        for (var e : list) {
            if (!e.path("healthy").asBoolean() || "open".equals(e.path("circuit").asText())) {
                n++;
            }
        }
        return n;
    }

    /**
     * {@code budgateway_upstream_circuit_state} (0 closed, 1 open, 2 half-open, -1 no breaker) and
     * {@code budgateway_upstream_healthy} (1 or 0) per replica.
     */
    void bindTo(MeterRegistry registry) {
        for (CatalogModel m : catalog.configured()) {
            for (ModelProvider p : m.providers()) {
                for (UpstreamTarget t : p.provider().targets()) {
                    String[] tags = {"model", m.name(), "provider", p.target().provider(), "url", t.base().toString()};
                    Gauge.builder("budgateway.upstream.circuit.state", t, UpstreamStates::circuitCode)
                            .description("Circuit breaker of an upstream replica: 0 closed, 1 open, 2 half-open, "
                                    + "-1 none")
                            .tags(tags).register(registry);
                    Gauge.builder("budgateway.upstream.healthy", t, x -> x.healthy() ? 1 : 0)
                            .description("Whether an upstream replica passes its health check (1) or not (0)")
                            .tags(tags).register(registry);
                }
            }
        }
    }

    private static String circuit(UpstreamTarget t) {
        CircuitBreaker b = t.breaker();
        return b == null ? "none" : b.getState().name().toLowerCase(Locale.ROOT);
    }

    private static double circuitCode(UpstreamTarget t) {
        CircuitBreaker b = t.breaker();
        if (b == null) {
            return -1;
        }
        return switch (b.getState()) {
            case CLOSED -> 0;
            case OPEN, FORCED_OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> -1;
        };
    }
}
