package dev.budgateway.plugins.spi;

/**
 * What is known of the client beyond its identity ({@link Keys#CLIENT_INFO}): where it is and what it
 * runs, as a client-info filter found it. Each part is {@code null} when unknown.
 *
 * @param address the client's address as the filter trusts it (from forwarding headers or the socket); kept parsed,
 *     so later filters (blocking rules) need not parse it again
 * @param proxyChain the forwarding chain as received ({@code X-Forwarded-For}), or {@code null}
 * @param geo where the address is
 * @param agent what the {@code User-Agent} says
 */
public record ClientInfo(java.net.InetAddress address, String proxyChain, Geo geo, Agent agent) {

    /** The address as text ({@code 203.0.113.9}, {@code 2001:db8:0:0:0:0:0:1}), or {@code null}. */
    public String ip() {
        return address == null ? null : address.getHostAddress();
    }

    /**
     * A GeoIP answer; any field may be {@code null}.
     *
     * @param region the first subdivision's ISO code (e.g. {@code ENG}), else its English name
     * @param asn the autonomous system number, from an ASN database
     * @param organization the autonomous system's organisation (the ISP, usually)
     */
    public record Geo(String countryCode, String countryName, String region, String city, Double latitude,
            Double longitude, String timezone, Long asn, String organization) {}

    /**
     * A parsed user agent.
     *
     * @param deviceType {@code desktop}, {@code mobile}, {@code tablet} or {@code bot}
     * @param sdk the calling SDK or tool when the agent names one (e.g. {@code openai-python}), or {@code null}
     * @param sdkVersion its version, when the agent gives one
     */
    public record Agent(String raw, String deviceType, String browserName, String browserVersion, String osName,
            String osVersion, boolean bot, String sdk, String sdkVersion) {}
}
