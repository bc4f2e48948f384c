package dev.budgateway.server;

import dev.budgateway.plugins.spi.GatewayError;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shutdown without cutting anyone off mid-sentence. On SIGTERM the gateway first reports itself not ready
 * ({@code /health} answers 503, so a load balancer stops sending), lets the requests and streams in flight
 * finish for the grace period, and then ends those still running with an error the client can read (an
 * error event and the end of the stream, or a 503) instead of a reset connection.
 */
final class Drain {

    static final GatewayError SHUTTING_DOWN = new GatewayError(503, "server_error", "shutting_down",
            "The gateway is shutting down; retry the request");

    private final Set<ExchangeResponder> active = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    boolean draining() {
        return draining;
    }

    void started(ExchangeResponder responder) {
        active.add(responder);
    }

    void finished(ExchangeResponder responder) {
        active.remove(responder);
    }

    /** From now on the gateway is not ready. */
    void begin() {
        draining = true;
    }

    int inFlight() {
        return active.size();
    }

    /** The grace period is over: every exchange still running ends with {@link #SHUTTING_DOWN}. */
    void endRemaining() {
        for (ExchangeResponder r : active) {
            r.shutDown(SHUTTING_DOWN);
        }
    }
}
