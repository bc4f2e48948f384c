package dev.budgateway.filters.limits;

import dev.budgateway.filters.controlplane.RedisScript;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The Lua script that decides every limit of a request in one round trip ({@code rate_limits.lua}).
 */
final class LimitScript {

    /** What the script does with one limit. */
    enum Op {
        TAKE(1), CHECK(2), CHARGE(3), LEASE(4), RETURN(5);

        final int code;

        Op(int code) {
            this.code = code;
        }
    }

    /** One limit's part of a call. */
    record Step(String key, RateLimit limit, Op op, long amount) {}

    /** One limit's answer; {@code resetMillis} and {@code retryAfterMillis} count from now. */
    record Outcome(boolean allowed, long remaining, long resetMillis, long retryAfterMillis, long granted) {}

    private static final RedisScript SCRIPT = RedisScript.load(LimitScript.class, "rate_limits.lua");

    private LimitScript() {}

    static CompletionStage<List<Outcome>> run(RedisAsyncCommands<String, String> redis, List<Step> steps) {
        String[] keys = new String[steps.size()];
        String[] args = new String[steps.size() * 6];
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            keys[i] = s.key();
            args[i * 6] = Integer.toString(s.limit().algorithm().code);
            args[i * 6 + 1] = Integer.toString(s.op().code);
            args[i * 6 + 2] = Long.toString(s.limit().limit());
            args[i * 6 + 3] = Long.toString(s.limit().periodMillis());
            args[i * 6 + 4] = Long.toString(s.limit().burst());
            args[i * 6 + 5] = Long.toString(s.amount());
        }
        return SCRIPT.run(redis, keys, args).thenApply(LimitScript::outcomes);
    }

    private static List<Outcome> outcomes(List<Object> flat) {
        List<Outcome> out = new ArrayList<>(flat.size() / 5);
        for (int i = 0; i + 4 < flat.size(); i += 5) {
            out.add(new Outcome(num(flat.get(i)) == 1, num(flat.get(i + 1)), num(flat.get(i + 2)),
                    num(flat.get(i + 3)), num(flat.get(i + 4))));
        }
        return out;
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(o));
    }
}
