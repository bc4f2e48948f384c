package dev.budgateway.plugins.spi;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/** What the host gives a {@link FilterFactory} when it creates a filter. */
public interface FilterEnv {

    /** A shared service, if the host has it. */
    <T> Optional<T> service(ServiceKey<T> key);

    /** For timers that are not tied to one exchange (refreshes, health checks). */
    ScheduledExecutorService scheduler();
}
