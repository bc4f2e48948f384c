package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;

/** {@code [gateway]}: the server's own settings. */
final class GatewaySection {

    static final Set<String> KEYS = Set.of(
            "bind_address", "plugins_dir", "max_body_bytes", "event_loops", "global_outbound_http_timeout_ms",
            "connect_timeout_ms", "max_upload_bytes", "max_upstream_body_bytes", "max_upstream_stream_bytes",
            "max_upstream_event_bytes", "request_body_timeout_ms", "idle_timeout_ms", "shutdown_grace_period_ms",
            "metrics_port", "max_concurrent_requests");

    private GatewaySection() {}

    static GatewaySettings readGateway(JsonNode root, Function<String, String> env, ConfigReader r) {
        ObjectNode g = r.table(root, "gateway", "", false);
        if (g == null) {
            g = JsonNodeFactory.instance.objectNode();
        }
        String metricsEnv = env.apply("METRICS_PORT");
        if (!g.has("metrics_port") && metricsEnv != null && !metricsEnv.isBlank()) {
            // The generic variable of the deployments the seeds describe; the file's key wins.
            try {
                g.put("metrics_port", Long.parseLong(metricsEnv.strip()));
            } catch (NumberFormatException e) {
                r.problem("METRICS_PORT", "expected a port number, found \"" + ConfigText.printable(metricsEnv) + "\"");
            }
        }
        return readGateway(g, r);
    }

    static GatewaySettings readGateway(ObjectNode g, ConfigReader r) {
        GatewaySettings d = GatewaySettings.defaults();
        RustCompat.gateway(g, r);
        r.onlyKeys(g, "gateway", KEYS);
        String bind = r.string(g, "bind_address", "gateway", false);
        if (bind != null && !validBindAddress(bind)) {
            r.problem("gateway.bind_address", "expected host:port with a port from 0 to 65535, found "
                    + ConfigReader.describe(g.get("bind_address")));
            bind = null;
        }
        String plugins = r.string(g, "plugins_dir", "gateway", false);
        Long maxBody = r.longInRange(g, "max_body_bytes", "gateway", 1, ConfigReader.MAX_ARRAY);
        Long loops = r.longInRange(g, "event_loops", "gateway", 1, 256);
        Long global = r.longInRange(g, "global_outbound_http_timeout_ms", "gateway", 1, 7 * ConfigReader.DAY_MS);
        Long connect = r.longInRange(g, "connect_timeout_ms", "gateway", 1, ConfigReader.DAY_MS);
        Long maxUpload = r.longInRange(g, "max_upload_bytes", "gateway", 1, 1L << 40);
        UpstreamLimits dl = d.upstreamLimits();
        Long upBody = r.longInRange(g, "max_upstream_body_bytes", "gateway", 1, ConfigReader.MAX_ARRAY);
        Long upStream = r.longInRange(g, "max_upstream_stream_bytes", "gateway", 0, Long.MAX_VALUE);
        Long upEvent = r.longInRange(g, "max_upstream_event_bytes", "gateway", 1, ConfigReader.MAX_ARRAY);
        Long bodyTimeout = r.longInRange(g, "request_body_timeout_ms", "gateway", 1, ConfigReader.DAY_MS);
        Long idle = r.longInRange(g, "idle_timeout_ms", "gateway", 1, ConfigReader.DAY_MS);
        Long grace = r.longInRange(g, "shutdown_grace_period_ms", "gateway", 0, 3600_000);
        Long metricsPort = r.longInRange(g, "metrics_port", "gateway", 1, 65535);
        Long maxConcurrent = r.longInRange(g, "max_concurrent_requests", "gateway", 1, Integer.MAX_VALUE);
        return new GatewaySettings(
                bind != null ? bind : d.bindAddress(),
                plugins != null ? Path.of(plugins) : d.pluginsDir(),
                maxBody != null ? maxBody : d.maxBodyBytes(),
                loops != null ? loops.intValue() : d.eventLoops(),
                global != null ? global : d.globalTimeoutMs(),
                connect != null ? connect : d.connectTimeoutMs(),
                maxUpload != null ? maxUpload : d.maxUploadBytes(),
                new UpstreamLimits(upBody != null ? upBody : dl.maxBodyBytes(),
                        upStream != null ? upStream : dl.maxStreamBytes(),
                        upEvent != null ? upEvent : dl.maxEventBytes()),
                bodyTimeout != null ? bodyTimeout : d.requestBodyTimeoutMs(),
                idle != null ? idle : d.idleTimeoutMs(),
                grace != null ? grace : d.shutdownGraceMs(),
                metricsPort != null ? Integer.valueOf(metricsPort.intValue()) : d.metricsPort(),
                maxConcurrent != null ? maxConcurrent.intValue() : d.maxConcurrentRequests());
    }

    static boolean validBindAddress(String bind) {
        int colon = bind.lastIndexOf(':');
        if (colon <= 0 || colon == bind.length() - 1 || bind.length() - colon > 6) {
            return false;
        }
        String port = bind.substring(colon + 1);
        return port.chars().allMatch(Character::isDigit) && Integer.parseInt(port) <= 65535
                && bind.substring(0, colon).chars().noneMatch(c -> c <= ' ' || c == 0x7f);
    }

    /**
     * TensorZero's legacy {@code [embedding_models.X]}: a model of its own, serving embeddings only unless
     * it lists its endpoints.
     */
}
