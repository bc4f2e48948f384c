package dev.budgateway.plugins.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.RouteTarget;

/**
 * The exchange of one attempt, derived from the request's: reads fall through to the request,
 * writes stay here, so a retried attempt starts clean.
 */
final class AttemptExchange extends DefaultExchange {

    private final DefaultExchange parent;
    private final AttemptLog.Entry logEntry;

    /** @param body the attempt's own body, or {@code null} for the request's */
    AttemptExchange(DefaultExchange parent, RouteTarget target, ObjectNode body) {
        super(parent, body);
        this.parent = parent;
        put(Keys.ATTEMPT_TARGET, target);
        this.logEntry = parent.attemptLog().start(target);
    }

    AttemptLog.Entry logEntry() {
        return logEntry;
    }

    @Override
    public AttemptLog attemptLog() {
        return parent.attemptLog();
    }

    @Override
    public <T> T get(Key<T> key) {
        T own = super.get(key);
        return own != null ? own : parent.get(key);
    }
}
