package dev.budgateway.config;

/**
 * How a model picks among its providers, and a provider among its endpoints ({@code load_balancing}).
 * Whatever is picked first, the others remain fallbacks in their configured order.
 */
public enum LoadBalancing {
    /** The configured order: the first provider, the first endpoint; others only when it fails. */
    ORDERED("ordered"),
    ROUND_ROBIN("round_robin"),
    /** At random, in proportion to each one's {@code weight}. */
    WEIGHTED("weighted"),
    /** The one with the fewest requests in flight through this gateway. */
    LEAST_CONNECTIONS("least_connections"),
    /** The lower of two picked at random, by an EWMA of recent latency (time to first token for streams). */
    LATENCY("latency");

    private final String configName;

    LoadBalancing(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static LoadBalancing fromConfigName(String name) {
        for (LoadBalancing b : values()) {
            if (b.configName.equals(name)) {
                return b;
            }
        }
        return null;
    }
}
