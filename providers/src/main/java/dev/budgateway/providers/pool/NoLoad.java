package dev.budgateway.providers.pool;

/** The load of a provider that answers in-process: none, and nothing measured. */
public enum NoLoad implements Balanced {
    INSTANCE;

    @Override
    public int weight() {
        return 1;
    }

    @Override
    public int inFlight() {
        return 0;
    }

    @Override
    public double latencyMs() {
        return 0;
    }
}
