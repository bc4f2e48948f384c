package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.ModelCatalog;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;

/** The small read-only endpoints: health, status, upstreams and metrics. */
final class AdminServices {

    private static final MediaType PROMETHEUS_TEXT = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

    private final ModelCatalog catalog;
    private final HostServices services;
    private final UpstreamStates upstreams;
    private final PrometheusMeterRegistry registry;
    private final Instant started = Instant.now();
    private final Drain drain;

    AdminServices(ModelCatalog catalog, PrometheusMeterRegistry registry, Drain drain, HostServices services) {
        this.services = services;
        this.catalog = catalog;
        this.drain = drain;
        this.upstreams = new UpstreamStates(catalog);
        this.registry = registry;
        upstreams.bindTo(registry);
    }

    /**
     * {@code GET /health}: JSON with status, version, uptime and each dependency's state; 503 with status
     * {@code draining} once shutdown has begun, so a load balancer sends no more.
     */
    HttpService health() {
        return (ctx, req) -> {
            ObjectNode root = Json.MAPPER.createObjectNode();
            boolean draining = drain.draining();
            root.put("status", draining ? "draining" : "ok");
            root.put("version", Version.get());
            root.put("uptime_seconds", Duration.between(started, Instant.now()).toSeconds());
            // What filters and services reported (FilterEnv.dependency): ok, degraded or down. A dependency that
            // is down degrades the gateway but does not take it out of rotation: each fails in its own
            // documented direction, and the models are still served.
            ObjectNode deps = root.putObject("dependencies");
            boolean degraded = false;
            for (var e : services.dependencyStates().entrySet()) {
                deps.put(e.getKey(), e.getValue().label());
                degraded |= e.getValue() != DependencyState.OK;
            }
            if (degraded && !draining) {
                root.put("status", "degraded");
            }
            root.put("models", catalog.configured().size());
            // The gateway is up even when some upstreams are not: that is what fallback is for.
            ArrayNode list = upstreams.list();
            root.put("upstreams_unavailable", UpstreamStates.unavailable(list));
            root.set("upstreams", list);
            return json(draining ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK, root);
        };
    }

    /** {@code GET /admin/upstreams}: every replica with its health, breaker state and load. */
    HttpService upstreams() {
        return (ctx, req) -> {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.set("upstreams", upstreams.list());
            return json(HttpStatus.OK, root);
        };
    }

    /** {@code GET /status}, as TensorZero answers it. */
    HttpService status() {
        return (ctx, req) -> {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("status", "ok");
            root.put("version", Version.get());
            return json(HttpStatus.OK, root);
        };
    }

    /** {@code GET /metrics}: Prometheus text format. */
    HttpService metrics() {
        return (ctx, req) -> HttpResponse.of(HttpStatus.OK, PROMETHEUS_TEXT, registry.scrape());
    }

    private static HttpResponse json(HttpStatus status, ObjectNode body) {
        return HttpResponse.of(ResponseHeaders.of(status, "content-type", MediaType.JSON_UTF_8.toString()),
                HttpData.wrap(Json.bytes(body)));
    }
}
