package dev.budgateway.plugins.spi;

/**
 * What is known of the client beyond its identity ({@link Keys#CLIENT_INFO}): where it is and what it
 * runs, as a client-info filter found it. Each part is {@code null} when unknown.
 *
 * @param ip the client's address as the filter trusts it (from forwarding headers or the socket)
 * @param proxyChain the forwarding chain as received ({@code X-Forwarded-For}), or {@code null}
 * @param geo where the address is
 * @param agent what the {@code User-Agent} says
 */
public record ClientInfo(String ip, String proxyChain, Geo geo, Agent agent) {

    /** A GeoIP answer; any field may be {@code null}. */
    public record Geo(String countryCode, String countryName, String region, String city, Double latitude,
            Double longitude, String timezone) {}

    /**
     * A parsed user agent.
     *
     * @param deviceType {@code desktop}, {@code mobile}, {@code tablet} or {@code bot}
     * @param sdk the calling SDK or tool when the agent names one (e.g. {@code openai-python}), or {@code null}
     */
    public record Agent(String raw, String deviceType, String browserName, String browserVersion, String osName,
            String osVersion, boolean bot, String sdk) {}
}
