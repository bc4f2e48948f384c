package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The log level comes from the variables a deployment already sets, the Rust gateway's RUST_LOG among them. */
class LogLevelsTest {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger gateway = (Logger) LoggerFactory.getLogger("dev.budgateway");
    private Level rootBefore;
    private Level gatewayBefore;

    @BeforeEach
    void remember() {
        rootBefore = root.getLevel();
        gatewayBefore = gateway.getLevel();
    }

    @AfterEach
    void restore() {
        root.setLevel(rootBefore);
        gateway.setLevel(gatewayBefore);
    }

    @Test
    void rustLogSetsTheDefaultAndTheGatewaysOwnLevel() {
        LogLevels.apply(Map.of("RUST_LOG", "warn,tower_http=info,gateway=debug")::get);
        assertEquals(Level.WARN, root.getLevel());
        assertEquals(Level.DEBUG, gateway.getLevel());
    }

    @Test
    void logLevelAndBudgatewayLogLevelComeFirst() {
        LogLevels.apply(Map.of("LOG_LEVEL", "error", "RUST_LOG", "debug")::get);
        assertEquals(Level.ERROR, root.getLevel());
        LogLevels.apply(Map.of("BUDGATEWAY_LOG_LEVEL", "debug", "LOG_LEVEL", "error")::get);
        assertEquals(Level.DEBUG, root.getLevel());
    }

    @Test
    void anUnknownWordChangesNothing() {
        root.setLevel(Level.INFO);
        LogLevels.apply(Map.of("RUST_LOG", "chatty")::get);
        assertEquals(Level.INFO, root.getLevel());
    }
}
