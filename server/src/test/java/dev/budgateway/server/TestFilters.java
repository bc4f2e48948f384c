package dev.budgateway.server;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Filters for tests, on the test class path only; active only where a test config declares them. */
final class TestFilters {

    private TestFilters() {}

    /** {@code test-throw}: a buggy filter. */
    public static final class Throwing implements FilterFactory {
        @Override
        public String type() {
            return "test-throw";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) {
            return exchange -> {
                throw new IllegalStateException("bug in a filter, with secret sk-should-not-leak");
            };
        }
    }

    /** {@code test-async}: decides after 20 ms on the exchange's event loop. */
    public static final class Async implements FilterFactory {
        @Override
        public String type() {
            return "test-async";
        }

        @Override
        public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
            return exchange -> {
                CompletableFuture<FilterResult> later = new CompletableFuture<>();
                exchange.eventLoop().schedule(() -> later.complete(FilterResult.CONTINUE), 20, TimeUnit.MILLISECONDS);
                return FilterResult.pending(later);
            };
        }
    }
}
