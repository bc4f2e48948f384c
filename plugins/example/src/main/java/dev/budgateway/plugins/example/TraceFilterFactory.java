package dev.budgateway.plugins.example;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Key;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.ResponseListener;

/**
 * {@code type = "example-trace"}: appends {@code label:routed} or {@code label:unrouted} (whether the
 * routing filter has run yet) to the response header {@code x-example-trace}, so a client can see
 * where in the chain each instance ran.
 */
public final class TraceFilterFactory implements FilterFactory {

    private static final Key<String> TRACE = Key.mutable("example.trace", String.class);

    @Override
    public String type() {
        return "example-trace";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        String label = config.bind(TraceConfig.class).label();
        return exchange -> {
            String step = label + (exchange.get(Keys.ROUTE) != null ? ":routed" : ":unrouted");
            String before = exchange.get(TRACE);
            String trace = before == null ? step : before + "," + step;
            exchange.put(TRACE, trace);
            exchange.addListener(new ResponseListener() {
                @Override
                public void onHead(ResponseHead head) {
                    // Listeners run last-added first, so the first to write holds the longest trace.
                    head.headers().putIfAbsent("x-example-trace", trace);
                }
            });
            return FilterResult.CONTINUE;
        };
    }
}
