package dev.budgateway.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The log level from the environment a deployment already sets: {@code BUDGATEWAY_LOG_LEVEL}, else the
 * generic {@code LOG_LEVEL}, else the Rust gateway's {@code RUST_LOG} ({@code info},
 * {@code warn,gateway=debug}: the bare level is the default, a directive for the gateway's own crates —
 * {@code gateway}, {@code tensorzero*}, {@code budgateway} — sets the gateway's loggers).
 */
final class LogLevels {

    private LogLevels() {}

    static void apply(Function<String, String> env) {
        String level = first(env, "BUDGATEWAY_LOG_LEVEL", "LOG_LEVEL");
        if (level != null) {
            set(org.slf4j.Logger.ROOT_LOGGER_NAME, level);
            return;
        }
        String rustLog = env.apply("RUST_LOG");
        if (rustLog == null || rustLog.isBlank()) {
            return;
        }
        for (String directive : rustLog.split(",")) {
            String d = directive.strip();
            int eq = d.indexOf('=');
            if (eq < 0) {
                set(org.slf4j.Logger.ROOT_LOGGER_NAME, d);
            } else {
                String target = d.substring(0, eq).strip();
                if (target.equals("gateway") || target.startsWith("tensorzero") || target.equals("budgateway")) {
                    set("dev.budgateway", d.substring(eq + 1));
                }
            }
        }
    }

    private static String first(Function<String, String> env, String... names) {
        for (String n : names) {
            String v = env.apply(n);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    /** Sets {@code logger}'s level when {@code name} is one; an unknown word leaves it as it is. */
    private static void set(String logger, String name) {
        Level level = Level.toLevel(name.strip(), null);
        if (level != null && LoggerFactory.getLogger(logger) instanceof Logger l) {
            l.setLevel(level);
        }
    }
}
