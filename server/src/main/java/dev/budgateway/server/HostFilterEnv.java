package dev.budgateway.server;

import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.ServiceKey;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/** The services the host hands to filter factories. */
record HostFilterEnv(Map<ServiceKey<?>, Object> services, ScheduledExecutorService scheduler) implements FilterEnv {

    @Override
    public <T> Optional<T> service(ServiceKey<T> key) {
        return Optional.ofNullable(key.type().cast(services.get(key)));
    }
}
