package dev.budgateway.plugins.runtime;

import dev.budgateway.plugins.spi.UpstreamDriver;
import java.util.List;

/** The filters of a chain in order, and where its {@link UpstreamDriver} (if any) sits. Immutable. */
public final class FilterChain {

    private final ChainEntry[] entries;
    private final int driverIndex;

    public FilterChain(List<ChainEntry> entries) {
        this.entries = entries.toArray(ChainEntry[]::new);
        int driver = -1;
        for (int i = 0; i < this.entries.length; i++) {
            if (this.entries[i].filter() instanceof UpstreamDriver) {
                if (driver >= 0) {
                    throw new IllegalArgumentException("a chain has at most one upstream driver: '"
                            + this.entries[driver].name() + "' and '" + this.entries[i].name() + "'");
                }
                driver = i;
            }
        }
        this.driverIndex = driver;
    }

    /**
     * The filters before the first {@code routing} filter (authentication, blocking, client info): what runs
     * for a request the gateway answers itself, such as the model list, which no model serves.
     */
    public FilterChain beforeRouting() {
        List<ChainEntry> before = new java.util.ArrayList<>();
        for (ChainEntry e : entries) {
            if (e.type().equals("routing")) {
                break;
            }
            before.add(e);
        }
        return new FilterChain(before);
    }

    public List<ChainEntry> entries() {
        return List.of(entries);
    }

    ChainEntry entry(int i) {
        return entries[i];
    }

    int size() {
        return entries.length;
    }

    /** Closes every filter, last first; one that fails to close does not keep the others open. */
    public void close() {
        for (int i = entries.length - 1; i >= 0; i--) {
            try {
                entries[i].filter().close();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(FilterChain.class).warn("Filter '{}' failed to close",
                        entries[i].name(), e);
            }
        }
    }

    /** The index of the upstream driver, or -1. */
    int driverIndex() {
        return driverIndex;
    }
}
