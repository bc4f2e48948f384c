package dev.budgateway.providers.pool;

/** Something a {@link Balancer} can pick: a provider of a model, or an endpoint of a provider. */
public interface Balanced {

    /** Its share under weighted balancing. */
    int weight();

    /** Requests in flight through this gateway. */
    int inFlight();

    /** An EWMA of recent latency (time to first token for streams) in ms; 0 when nothing is known yet. */
    double latencyMs();
}
