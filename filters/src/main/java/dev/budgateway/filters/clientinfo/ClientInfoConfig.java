package dev.budgateway.filters.clientinfo;

import java.util.List;

/**
 * Keys of the {@code client-info} filter.
 *
 * @param trustedProxies the proxies (addresses and CIDR blocks, IPv4 and IPv6) whose forwarding headers are
 *     believed; none by default, so the socket's peer is the client
 * @param forwardedHeaders which headers a trusted proxy may name the client in, tried in this order; by default
 *     {@code x-forwarded-for} only
 * @param geoipDb a MaxMind City or Country database ({@code .mmdb})
 * @param asnDb a MaxMind ASN database
 * @param reloadIntervalS how often the database files are checked for a change on disk (default 60; 0 = never)
 * @param userAgent whether the {@code User-Agent} is parsed (default true)
 * @param agentCacheSize how many distinct agents are remembered (default 10,000)
 */
public record ClientInfoConfig(List<String> trustedProxies, List<String> forwardedHeaders, String geoipDb,
        String asnDb, Long reloadIntervalS, Boolean userAgent, Integer agentCacheSize) {

    public ClientInfoConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        forwardedHeaders = forwardedHeaders == null ? List.of("x-forwarded-for") : forwardedHeaders.stream()
                .map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList();
        for (String h : forwardedHeaders) {
            if (!ClientAddress.KNOWN_HEADERS.contains(h)) {
                throw new IllegalArgumentException("forwarded_headers: unknown header '" + h + "' (known: "
                        + String.join(", ", ClientAddress.KNOWN_HEADERS) + ")");
            }
        }
        reloadIntervalS = reloadIntervalS == null ? 60 : reloadIntervalS;
        if (reloadIntervalS < 0) {
            throw new IllegalArgumentException("reload_interval_s: must be 0 (never) or more");
        }
        userAgent = userAgent == null || userAgent;
        agentCacheSize = agentCacheSize == null ? 10_000 : agentCacheSize;
        if (agentCacheSize < 1) {
            throw new IllegalArgumentException("agent_cache_size: must be at least 1");
        }
    }
}
