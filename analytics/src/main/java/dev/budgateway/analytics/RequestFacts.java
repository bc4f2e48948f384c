package dev.budgateway.analytics;

import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished request's records say of it, read once from the exchange for every record made of it (its
 * {@code GatewayAnalytics} row, its {@code gateway_analytics} span): who called, from where, with what, and how a
 * rule or a limit treated it. Never a body, a key or a secret: only the headers named here are kept.
 *
 * @param clientIp the client as {@code client-info} trusted it, else the peer; {@code null} when unknown
 * @param info what {@code client-info} found, or {@code null}
 * @param userAgent the raw {@code user-agent}, or {@code null}
 * @param identity who called, once authenticated, or {@code null}
 * @param method the HTTP method, or {@code null} for a request refused before the chain
 * @param path the path, or {@code null} likewise
 * @param model the model asked for, or {@code null}
 * @param endpointId the control plane's endpoint the model resolved to, or {@code null}
 * @param headers the kept request headers
 * @param blocked whether a blocking rule (403) or a rate limit (429) refused it
 * @param blockReason why, when blocked
 * @param blockRuleId the rule, when a blocking rule named itself
 * @param gatewayProcessingMs the gateway's own share of the request's time: its duration less the upstreams'
 * @param cost what its usage cost, or {@code null} without a price or a usage
 * @param protocol the HTTP version, or {@code null} for a request refused before the chain
 * @param bodyBytes the body's size, or {@code null} when unknown (an upload, a request refused before the chain)
 */
public record RequestFacts(String clientIp, ClientInfo info, String userAgent, Identity identity, String method,
        String path, String model, String endpointId, Map<String, String> headers, boolean blocked,
        String blockReason, String blockRuleId, long gatewayProcessingMs, Double cost, String protocol,
        Long bodyBytes) {

    /** Request headers worth keeping: none carries a credential. */
    public static final List<String> HEADERS = List.of("user-agent", "content-type", "accept", "x-forwarded-for",
            "x-real-ip", "anthropic-version", "anthropic-beta", "openai-beta", "x-stainless-lang",
            "x-stainless-package-version", "x-stainless-runtime", "traceparent");

    public static RequestFacts of(FinishedExchange f, ObservabilitySettings observability) {
        Exchange ex = f.exchange();
        Completion c = f.completion();
        ClientInfo info = ex == null ? null : ex.get(Keys.CLIENT_INFO);
        String ip = info != null ? info.ip() : null;
        if (ip == null && ex != null) {
            InetSocketAddress peer = ex.get(Keys.PEER_ADDRESS);
            ip = peer == null || peer.getAddress() == null ? null : peer.getAddress().getHostAddress();
        }
        ClientInfo.Agent agent = info == null ? null : info.agent();
        String rawAgent = agent != null ? agent.raw() : ex == null ? null : ex.header("user-agent");
        Map<String, String> headers = new LinkedHashMap<>();
        if (ex != null) {
            for (String h : HEADERS) {
                String v = ex.header(h);
                if (v != null) {
                    headers.put(h, v);
                }
            }
        }
        GatewayError e = c.error();
        boolean blocked = e != null && (e.status() == 403 && "blocked".equals(e.code()) || e.status() == 429
                && "rate_limit_exceeded".equals(e.code()) && e.headers().containsKey("retry-after-ms"));
        return new RequestFacts(ip, info, rawAgent, ex == null ? null : ex.get(Keys.IDENTITY),
                ex == null ? null : ex.method(), ex == null ? null : ex.path(), ex == null ? null : ex.get(Keys.MODEL),
                ex == null ? null : ex.get(Keys.RESOLVED_MODEL), headers, blocked, blocked ? e.message() : null,
                blocked ? e.headers().get("x-blocked-by-rule") : null,
                f.gatewayNanos() / 1_000_000, observability.costOf(f),
                ex == null ? null : ex.get(Keys.PROTOCOL), ex == null ? null : ex.get(Keys.BODY_BYTES));
    }

    public ClientInfo.Geo geo() {
        return info == null ? null : info.geo();
    }

    public ClientInfo.Agent agent() {
        return info == null ? null : info.agent();
    }

    /** {@code first} when one attempt was made, {@code fallback} after more, {@code null} without any. */
    public static String routingDecision(Completion c) {
        return c.attempts() > 1 ? "fallback" : c.attempts() == 1 ? "first" : null;
    }
}
