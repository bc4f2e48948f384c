package dev.budgateway.filters.limits;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * The headers a decision is told with: OpenAI's {@code x-ratelimit-*-requests} and {@code -tokens} (which its
 * SDKs read), the Rust gateway's {@code X-RateLimit-Limit/Remaining/Reset} and, on refusal, {@code Retry-After}
 * and {@code retry-after-ms}. Each family reports the limit with the least left.
 */
final class RateHeaders {

    private RateHeaders() {}

    static void write(List<LimitScript.Step> steps, List<LimitScript.Outcome> outcomes, long nowMillis,
            BiConsumer<String, String> header) {
        int requests = tightest(steps, outcomes, false);
        int tokens = tightest(steps, outcomes, true);
        if (requests >= 0) {
            RateLimit l = steps.get(requests).limit();
            LimitScript.Outcome o = outcomes.get(requests);
            header.accept("x-ratelimit-limit-requests", Long.toString(l.limit()));
            header.accept("x-ratelimit-remaining-requests", Long.toString(o.remaining()));
            header.accept("x-ratelimit-reset-requests", duration(o.resetMillis()));
            header.accept("x-ratelimit-limit", Long.toString(l.limit()));
            header.accept("x-ratelimit-remaining", Long.toString(o.remaining()));
            header.accept("x-ratelimit-reset", Long.toString((nowMillis + o.resetMillis() + 999) / 1000));
        }
        if (tokens >= 0) {
            RateLimit l = steps.get(tokens).limit();
            LimitScript.Outcome o = outcomes.get(tokens);
            header.accept("x-ratelimit-limit-tokens", Long.toString(l.limit()));
            header.accept("x-ratelimit-remaining-tokens", Long.toString(o.remaining()));
            header.accept("x-ratelimit-reset-tokens", duration(o.resetMillis()));
        }
    }

    static void retryAfter(long millis, BiConsumer<String, String> header) {
        header.accept("retry-after", Long.toString(Math.max(1, (millis + 999) / 1000)));
        header.accept("retry-after-ms", Long.toString(Math.max(1, millis)));
    }

    /** Refused ones first, then the least remaining; -1 when no limit of that family was decided. */
    private static int tightest(List<LimitScript.Step> steps, List<LimitScript.Outcome> outcomes, boolean tokens) {
        int best = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).limit().unit().tokens() != tokens || outcomes.get(i).remaining() < 0) {
                continue;
            }
            if (best < 0 || rank(outcomes.get(i)) < rank(outcomes.get(best))) {
                best = i;
            }
        }
        return best;
    }

    private static long rank(LimitScript.Outcome o) {
        return o.allowed() ? o.remaining() : -1;
    }

    /** As OpenAI writes it (Go's duration form): {@code 20ms}, {@code 1s}, {@code 6m0s}, {@code 1h2m3.5s}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return Math.max(0, millis) + "ms";
        }
        long h = millis / 3_600_000;
        long m = millis / 60_000 % 60;
        long ms = millis % 60_000;
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            b.append(m).append('m');
        }
        b.append(ms / 1000);
        if (ms % 1000 != 0) {
            String frac = String.format("%03d", ms % 1000).replaceAll("0+$", "");
            b.append('.').append(frac);
        }
        return b.append('s').toString();
    }
}
