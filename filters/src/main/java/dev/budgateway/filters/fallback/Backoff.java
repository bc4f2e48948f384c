package dev.budgateway.filters.fallback;

import dev.budgateway.config.RetryPolicy;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/** How long to wait before a retry: exponential with jitter, or what the upstream's {@code Retry-After} said. */
final class Backoff {

    private static final long BASE_MS = 100;

    private Backoff() {}

    /**
     * The wait in ms before retry number {@code retry} (0 for the first), or -1 when the upstream asked for
     * longer than the policy allows: then retrying the same upstream is pointless.
     *
     * @param retryAfter the upstream's {@code Retry-After} (seconds or an HTTP date), or {@code null}
     */
    static long delayMs(RetryPolicy policy, int retry, String retryAfter) {
        long capMs = Math.round(policy.maxDelayS() * 1000);
        Long asked = retryAfterMs(retryAfter);
        if (asked != null) {
            return asked <= capMs ? asked : -1;
        }
        // Equal jitter: half the exponential step for sure, the other half at random, so retries of many
        // requests spread out instead of arriving together.
        long step = Math.min(capMs, BASE_MS << Math.min(retry, 20));
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }

    static Long retryAfterMs(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            return Math.max(0, Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
