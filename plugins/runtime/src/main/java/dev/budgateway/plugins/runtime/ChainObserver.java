package dev.budgateway.plugins.runtime;

/** Told how long each filter took and how it decided; the server turns this into metrics. */
@FunctionalInterface
public interface ChainObserver {

    ChainObserver NONE = (filter, outcome, nanos) -> {};

    /**
     * @param outcome one of {@code continue}, {@code reject}, {@code respond}, {@code error}
     */
    void onFilter(String filter, String outcome, long nanos);
}
