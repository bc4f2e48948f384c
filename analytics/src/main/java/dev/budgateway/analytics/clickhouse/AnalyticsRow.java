package dev.budgateway.analytics.clickhouse;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.RouteTarget;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One {@code GatewayAnalytics} row per HTTP request, served or not, as one JSON line: who called (address, place,
 * agent, identity), what (method, path, API, model), how it went (status, error, attempts, provider, timings,
 * tokens) and whether a rule stopped it. Never a body, a key or a secret: only the headers named here are kept.
 */
final class AnalyticsRow {

    /** Request headers worth keeping: none carries a credential. */
    static final List<String> HEADERS = List.of("user-agent", "content-type", "accept", "x-forwarded-for",
            "x-real-ip", "anthropic-version", "anthropic-beta", "openai-beta", "x-stainless-lang",
            "x-stainless-package-version", "x-stainless-runtime", "traceparent");
    private static final SecureRandom RANDOM = new SecureRandom();

    private AnalyticsRow() {}

    static String of(FinishedExchange f, Instant end) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        Completion c = f.completion();
        Instant start = end.minusNanos(c.durationNanos());
        Exchange ex = f.exchange();
        row.put("id", uuid7(start).toString());
        row.put("request_id", nz(f.requestId()));
        row.putNull("inference_id");
        ClientInfo info = ex == null ? null : ex.get(Keys.CLIENT_INFO);
        String ip = info != null ? info.ip() : null;
        if (ip == null && ex != null) {
            InetSocketAddress peer = ex.get(Keys.PEER_ADDRESS);
            ip = peer == null || peer.getAddress() == null ? null : peer.getAddress().getHostAddress();
        }
        row.put("client_ip", nz(ip));
        row.putNull("protocol_version");
        row.put("proxy_chain", nz(info == null ? null : info.proxyChain()));
        ClientInfo.Geo geo = info == null ? null : info.geo();
        row.put("country_code", nz(geo == null ? null : geo.countryCode()));
        row.put("country_name", nz(geo == null ? null : geo.countryName()));
        row.put("region", nz(geo == null ? null : geo.region()));
        row.put("city", nz(geo == null ? null : geo.city()));
        row.put("latitude", geo == null ? null : geo.latitude());
        row.put("longitude", geo == null ? null : geo.longitude());
        row.put("timezone", nz(geo == null ? null : geo.timezone()));
        row.put("asn", geo == null ? null : geo.asn());
        row.put("isp", nz(geo == null ? null : geo.organization()));
        ClientInfo.Agent agent = info == null ? null : info.agent();
        String rawAgent = agent != null ? agent.raw() : ex == null ? null : ex.header("user-agent");
        row.put("user_agent", nz(rawAgent));
        row.put("device_type", nz(agent == null ? null : agent.deviceType()));
        row.put("browser_name", nz(agent == null ? null : agent.browserName()));
        row.put("browser_version", nz(agent == null ? null : agent.browserVersion()));
        row.put("os_name", nz(agent == null ? null : agent.osName()));
        row.put("os_version", nz(agent == null ? null : agent.osVersion()));
        row.put("is_bot", agent != null && agent.bot() ? 1 : 0);
        row.put("sdk", nz(agent == null ? null : agent.sdk()));
        row.put("method", nz(ex == null ? null : ex.method()));
        row.put("path", nz(ex == null ? null : ex.path()));
        row.putNull("query_params");
        row.putNull("body_size");
        row.put("api", nz(f.api()));
        row.put("is_stream", f.stream() ? 1 : 0);
        Map<String, String> headers = new LinkedHashMap<>();
        if (ex != null) {
            for (String h : HEADERS) {
                String v = ex.header(h);
                if (v != null) {
                    headers.put(h, v);
                }
            }
        }
        ObjectNode h = row.putObject("request_headers");
        headers.forEach(h::put);
        Identity id = ex == null ? null : ex.get(Keys.IDENTITY);
        row.put("api_key_id", nz(id == null ? null : id.apiKeyId()));
        row.put("auth_method", nz(id == null ? null : id.method()));
        row.put("user_id", nz(id == null ? null : id.userId()));
        row.put("project_id", nz(id == null ? null : id.projectId()));
        row.put("endpoint_id", nz(ex == null ? null : ex.get(Keys.RESOLVED_MODEL)));
        row.put("request_timestamp", Dialect.time(start));
        row.put("response_timestamp", Dialect.time(end));
        long totalMs = c.durationNanos() / 1_000_000;
        row.put("gateway_processing_ms", 0);
        row.put("total_duration_ms", totalMs);
        row.put("time_to_first_chunk_ms", c.firstChunkNanos() < 0 ? null : c.firstChunkNanos() / 1_000_000);
        row.put("model_name", nz(ex == null ? null : ex.get(Keys.MODEL)));
        RouteTarget served = c.servedBy();
        row.put("model_provider", nz(served == null ? null : served.provider()));
        row.putNull("model_version");
        row.put("routing_decision", c.attempts() > 1 ? "fallback" : c.attempts() == 1 ? "first" : null);
        row.put("attempts", c.attempts());
        row.put("status_code", c.status());
        row.putNull("response_size");
        row.putObject("response_headers");
        GatewayError e = c.error();
        row.put("error_type", nz(e == null ? null : e.type()));
        row.put("error_message", nz(e == null ? null : e.message()));
        row.put("is_cancelled", c.cancelled() ? 1 : 0);
        boolean blocked = e != null && (e.status() == 403 && "blocked".equals(e.code()) || e.status() == 429
                && "rate_limit_exceeded".equals(e.code()) && e.headers().containsKey("retry-after-ms"));
        row.put("is_blocked", blocked ? 1 : 0);
        row.put("block_reason", blocked ? e.message() : null);
        row.put("block_rule_id", nz(blocked ? e.headers().get("x-blocked-by-rule") : null));
        row.put("input_tokens", c.usage() == null ? null : c.usage().inputTokens());
        row.put("output_tokens", c.usage() == null ? null : c.usage().outputTokens());
        row.putObject("tags");
        return row.toString();
    }

    /** Absent stays {@code null}; {@link TableShape} writes a column's zero where it cannot hold one. */
    private static String nz(String s) {
        return s;
    }

    /** A UUIDv7: the time in milliseconds first, so ids sort by time; the rest random. */
    static UUID uuid7(Instant at) {
        long ms = at.toEpochMilli();
        long high = (ms << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
