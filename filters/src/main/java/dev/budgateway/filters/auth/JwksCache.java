package dev.budgateway.filters.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.budgateway.plugins.spi.DependencyState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An identity provider's key set, fetched without blocking a request: at start, every refresh interval, and
 * when a token names a key id the set lacks (a rotation), at most once a second. While the endpoint is away
 * the last set fetched stays in use.
 */
final class JwksCache implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(JwksCache.class);
    private static final long MIN_REFETCH_MS = 1_000;
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_BYTES = 1024 * 1024;

    private final URI url;
    private final HttpClient http;
    private final Clock clock;
    private volatile JWKSet keys;
    private volatile boolean lastFetchFailed;
    private CompletableFuture<JWKSet> inFlight;
    private long lastFetchMs = Long.MIN_VALUE / 2;
    private volatile boolean closed;

    private final dev.budgateway.plugins.spi.FilterMetrics.Counter failures;

    JwksCache(URI url, ScheduledExecutorService scheduler, Clock clock, long refreshMs,
            dev.budgateway.plugins.spi.FilterMetrics metrics) {
        this.url = url;
        this.clock = clock;
        this.failures = metrics.counter("auth.jwks_fetch_failures", "Fetches of the JWT key set that failed");
        metrics.gauge("auth.jwks_keys", "Keys in the JWT key set in use", () -> {
            JWKSet set = keys;
            return set == null ? 0 : set.getKeys().size();
        });
        this.http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        fetch();
        scheduler.scheduleWithFixedDelay(() -> {
            if (!closed) {
                fetch();
            }
        }, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
    }

    /** The key with {@code keyId} (or the only key, when the token names none), or {@code null}. */
    JWK find(String keyId) {
        JWKSet set = keys;
        if (set == null) {
            return null;
        }
        if (keyId == null) {
            return set.getKeys().size() == 1 ? set.getKeys().get(0) : null;
        }
        return set.getKeyByKeyId(keyId);
    }

    /** Fetches the set again unless it was fetched within the last second; completes with the newest set. */
    synchronized CompletableFuture<JWKSet> refetch() {
        if (inFlight != null) {
            return inFlight;
        }
        if (clock.millis() - lastFetchMs < MIN_REFETCH_MS) {
            return CompletableFuture.completedFuture(keys);
        }
        return fetch();
    }

    private synchronized CompletableFuture<JWKSet> fetch() {
        if (inFlight != null) {
            return inFlight;
        }
        lastFetchMs = clock.millis();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).header("accept", "application/json")
                .GET().build();
        CompletableFuture<JWKSet> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("status " + response.statusCode());
                    }
                    if (response.body().length() > MAX_BYTES) {
                        throw new IllegalStateException("larger than " + MAX_BYTES + " bytes");
                    }
                    try {
                        return JWKSet.parse(response.body());
                    } catch (java.text.ParseException e) {
                        throw new IllegalStateException("not a JWK set");
                    }
                })
                .handle((set, failure) -> {
                    synchronized (this) {
                        inFlight = null;
                    }
                    if (failure != null) {
                        failures.increment();
                        if (!lastFetchFailed) {
                            logger.warn("Fetching the JWT key set from {} failed ({}); {}", url, brief(failure),
                                    keys == null ? "tokens are refused until it answers" : "the last set stays in use");
                        }
                        lastFetchFailed = true;
                        return keys;
                    }
                    if (lastFetchFailed) {
                        logger.info("Fetched the JWT key set from {} again", url);
                    }
                    lastFetchFailed = false;
                    keys = set;
                    return set;
                });
        // Completed already when it failed at once on this thread (its handler could not clear the field yet).
        inFlight = f.isDone() ? null : f;
        return f;
    }

    DependencyState state() {
        if (keys == null) {
            return DependencyState.DOWN;
        }
        return lastFetchFailed ? DependencyState.DEGRADED : DependencyState.OK;
    }

    private static String brief(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    @Override
    public void close() {
        closed = true;
    }
}
