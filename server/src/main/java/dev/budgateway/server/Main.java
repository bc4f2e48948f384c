package dev.budgateway.server;

import dev.budgateway.config.ConfigLoader;
import dev.budgateway.config.GatewayConfig;
import dev.budgateway.plugins.runtime.ChainEntry;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.UpstreamClient;
import ch.qos.logback.classic.LoggerContext;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code budgateway [--config FILE] [--validate-config]}. Without a config (and without
 * {@code TENSORZERO_CONFIG_PATH}) the embedded default config is used, which needs no other service.
 */
public final class Main {

    private static final Logger logger = LoggerFactory.getLogger(Main.class);
    static final String DEFAULT_CONFIG_RESOURCE = "/default-gateway.toml";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System::getenv, System.out, System.err, true));
    }

    /**
     * Runs the command; returns the exit code. With {@code block}, serves until the process is stopped.
     * Whatever goes wrong is reported in a sentence, never as a stack trace: an operator reads this.
     */
    static int run(String[] args, Function<String, String> env, PrintStream out, PrintStream err, boolean block) {
        try {
            return runChecked(args, env, out, err, block);
        } catch (StackOverflowError e) {
            err.println("budgateway: the config is nested too deeply to read");
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("budgateway: out of memory while reading the config (a key file or value too large?)");
            return 1;
        } catch (RuntimeException e) {
            logger.debug("budgateway could not start", e);
            err.println("budgateway could not start: " + rootMessage(e));
            return 1;
        }
    }

    private static int runChecked(String[] args, Function<String, String> env, PrintStream out, PrintStream err,
            boolean block) {
        if (block) {
            LogLevels.apply(env); // the process's own logging; tests keep theirs
        }
        String configPath = null;
        boolean validate = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "--config-file" -> {
                    if (i + 1 >= args.length) {
                        err.println("--config needs a file path");
                        return 2;
                    }
                    configPath = args[++i];
                }
                case "--validate-config" -> validate = true;
                case "-h", "--help" -> {
                    out.println("usage: budgateway [--config FILE] [--validate-config]");
                    out.println("  --config FILE       the TOML config (default: $TENSORZERO_CONFIG_PATH, else the embedded"
                            + " default)");
                    out.println("  --validate-config   check the config, list every problem, and exit (0 = valid)");
                    return 0;
                }
                default -> {
                    err.println("unknown argument: " + args[i] + " (try --help)");
                    return 2;
                }
            }
        }
        if (configPath == null) {
            String fromEnv = env.apply("TENSORZERO_CONFIG_PATH");
            configPath = fromEnv == null || fromEnv.isBlank() ? null : fromEnv;
        }
        String source = configPath != null ? configPath : "embedded default config";
        GatewayConfig config;
        try {
            config = configPath != null ? ConfigLoader.load(Path.of(configPath), env)
                    : ConfigLoader.parse(defaultConfig(), env);
        } catch (ConfigException e) {
            report(err, source, e.problems());
            return 1;
        }
        if (validate) {
            return validate(config, source, env, out, err);
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(config, env);
        } catch (ConfigException e) {
            report(err, source, e.problems());
            return 1;
        } catch (RuntimeException e) {
            err.println("budgateway could not start: " + rootMessage(e));
            return 1;
        }
        logger.info("budgateway {} listening on {}:{} with {} (chain: {})", Version.get(), config.gateway().host(),
                gateway.port(), source, chainText(gateway.chain().entries()));
        config.notices().forEach(n -> logger.warn("Config {}", n));
        if (!block) {
            gateway.close();
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            logger.info("budgateway stopping");
            gateway.close();
            stopLogging();
            stopped.countDown();
        }, "budgateway-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Stops the appenders, so the request log's last lines, still queued, are written before the JVM exits. */
    private static void stopLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }

    private static int validate(GatewayConfig config, String source, Function<String, String> env, PrintStream out,
            PrintStream err) {
        EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(1);
        try (UpstreamClient upstream = new UpstreamClient(loops, config.gateway().globalTimeoutMs(),
                config.gateway().connectTimeoutMs())) {
            GatewayAssembly assembly = GatewayAssembly.build(config, upstream, loops, env);
            assembly.chain().close();
            assembly.services().close();
            List<String> models = assembly.catalog().configured().stream().map(m -> m.name()).toList();
            out.println(source + " is valid: " + models.size() + " model(s) " + models + "; chain: "
                    + chainText(assembly.chain().entries()) + (config.filtersDeclared() ? "" : " (default)"));
            if (!config.notices().isEmpty()) {
                out.println(config.notices().size() + " key(s) accepted but not acted on:");
                config.notices().forEach(n -> out.println("  - " + n));
            }
            return 0;
        } catch (ConfigException e) {
            report(err, source, e.problems());
            return 1;
        } finally {
            loops.shutdownGracefully();
        }
    }

    private static String chainText(List<ChainEntry> entries) {
        return entries.stream().map(ChainEntry::name).collect(Collectors.joining(" -> "));
    }

    private static void report(PrintStream err, String source, List<ConfigProblem> problems) {
        err.println(source + " is invalid (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):");
        for (ConfigProblem p : problems) {
            err.println("  - " + p);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }

    static String defaultConfig() {
        try (InputStream in = Main.class.getResourceAsStream(DEFAULT_CONFIG_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the embedded default config is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the embedded default config", e);
        }
    }

}
