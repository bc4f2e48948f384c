package dev.budgateway.analytics.clickhouse;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.analytics.RequestFacts;
import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.RouteTarget;

/**
 * One {@code GatewayAnalytics} row per HTTP request, served or not, as one JSON line: who called (address, place,
 * agent, identity), what (method, path, API, model), how it went (status, error, attempts, provider, timings,
 * tokens, cost) and whether a rule stopped it, as {@link RequestFacts} reads them.
 */
final class AnalyticsRow {

    private AnalyticsRow() {}

    static String of(FinishedExchange f, ObservabilitySettings observability) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        Completion c = f.completion();
        RequestFacts facts = RequestFacts.of(f, observability);
        row.put("id", f.id().toString());
        row.put("request_id", f.requestId());
        row.put("inference_id", f.inferenceId() == null ? null : f.inferenceId().toString());
        row.put("client_ip", facts.clientIp());
        row.put("protocol_version", facts.protocol());
        row.put("proxy_chain", facts.info() == null ? null : facts.info().proxyChain());
        ClientInfo.Geo geo = facts.geo();
        row.put("country_code", geo == null ? null : geo.countryCode());
        row.put("country_name", geo == null ? null : geo.countryName());
        row.put("region", geo == null ? null : geo.region());
        row.put("city", geo == null ? null : geo.city());
        row.put("latitude", geo == null ? null : geo.latitude());
        row.put("longitude", geo == null ? null : geo.longitude());
        row.put("timezone", geo == null ? null : geo.timezone());
        row.put("asn", geo == null ? null : geo.asn());
        row.put("isp", geo == null ? null : geo.organization());
        ClientInfo.Agent agent = facts.agent();
        row.put("user_agent", facts.userAgent());
        row.put("device_type", agent == null ? null : agent.deviceType());
        row.put("browser_name", agent == null ? null : agent.browserName());
        row.put("browser_version", agent == null ? null : agent.browserVersion());
        row.put("os_name", agent == null ? null : agent.osName());
        row.put("os_version", agent == null ? null : agent.osVersion());
        row.put("is_bot", agent != null && agent.bot() ? 1 : 0);
        row.put("sdk", agent == null ? null : agent.sdk());
        row.put("method", facts.method());
        row.put("path", facts.path());
        row.putNull("query_params");
        row.put("body_size", facts.bodyBytes());
        row.put("api", f.api());
        row.put("is_stream", f.stream() ? 1 : 0);
        ObjectNode h = row.putObject("request_headers");
        facts.headers().forEach(h::put);
        Identity id = facts.identity();
        row.put("api_key_id", id == null ? null : id.apiKeyId());
        row.put("auth_method", id == null ? null : id.method());
        row.put("user_id", id == null ? null : id.userId());
        row.put("project_id", id == null ? null : id.projectId());
        row.put("endpoint_id", facts.endpointId());
        row.put("request_timestamp", Dialect.time(f.arrived()));
        row.put("response_timestamp", Dialect.time(f.ended()));
        row.put("gateway_processing_ms", facts.gatewayProcessingMs());
        row.put("total_duration_ms", c.durationNanos() / 1_000_000);
        row.put("time_to_first_chunk_ms", c.firstChunkNanos() < 0 ? null : c.firstChunkNanos() / 1_000_000);
        row.put("model_name", facts.model());
        RouteTarget served = c.servedBy();
        row.put("model_provider", served == null ? null : served.provider());
        row.putNull("model_version");
        row.put("routing_decision", RequestFacts.routingDecision(c));
        row.put("attempts", c.attempts());
        row.put("status_code", c.status());
        row.putNull("response_size");
        row.putObject("response_headers");
        GatewayError e = c.error();
        row.put("error_type", e == null ? null : e.type());
        row.put("error_message", e == null ? null : e.message());
        row.put("is_cancelled", c.cancelled() ? 1 : 0);
        row.put("is_blocked", facts.blocked() ? 1 : 0);
        row.put("block_reason", facts.blockReason());
        row.put("block_rule_id", facts.blockRuleId());
        row.put("input_tokens", c.usage() == null ? null : c.usage().inputTokens());
        row.put("output_tokens", c.usage() == null ? null : c.usage().outputTokens());
        row.put("cost", facts.cost());
        row.putObject("tags");
        return row.toString();
    }
}
