package dev.budgateway.plugins.example;

import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.ResponseListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code type = "example-tier-lookup"}: the shape of every filter that asks another service (Redis, a
 * policy server) before it decides. The lookup completes on a thread of its own, as a client library's
 * callbacks do; {@link FilterResult#await} brings the answer back to the request's event loop, where it
 * is written to the exchange. The gateway bounds the wait by the entry's {@code timeout_ms} and cancels
 * the lookup when the client goes away. The tier is sent back in {@code x-example-tier}; a
 * {@code blocked} user gets 403.
 */
public final class TierLookupFilterFactory implements FilterFactory {

    private static final Logger logger = LoggerFactory.getLogger(TierLookupFilterFactory.class);

    /** Stands in for a client library's I/O threads. */
    private static final ScheduledExecutorService LOOKUPS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "example-tier-lookup");
        t.setDaemon(true);
        return t;
    });

    @Override
    public String type() {
        return "example-tier-lookup";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        TierLookupConfig c = config.bind(TierLookupConfig.class);
        FilterResult blocked = FilterResult.reject(GatewayError.forbidden("blocked", "This user is blocked"));
        return exchange -> {
            String user = exchange.header(c.header());
            if (user == null) {
                return FilterResult.CONTINUE;
            }
            return FilterResult.await(lookup(user, c), (ex, tier) -> {
                if (tier.equals("blocked")) {
                    return blocked;
                }
                ex.addListener(new ResponseListener() {
                    @Override
                    public void onHead(ResponseHead head) {
                        head.header("x-example-tier", tier);
                    }
                });
                return FilterResult.CONTINUE;
            });
        };
    }

    /** The remote lookup: answers on another thread after the configured delay; cancelling stops it. */
    private static CompletableFuture<String> lookup(String user, TierLookupConfig c) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        ScheduledFuture<?> task = LOOKUPS.schedule(() -> answer.complete(c.tiers().getOrDefault(user, "free")),
                c.delayMs(), TimeUnit.MILLISECONDS);
        answer.whenComplete((tier, failure) -> {
            if (answer.isCancelled()) {
                task.cancel(false);
                logger.info("example-tier-lookup: lookup for {} cancelled", user);
            }
        });
        return answer;
    }
}
