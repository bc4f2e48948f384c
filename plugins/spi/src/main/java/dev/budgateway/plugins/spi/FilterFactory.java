package dev.budgateway.plugins.spi;

import java.util.Set;

/**
 * Creates a filter from its config. Found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.budgateway.plugins.spi.FilterFactory}.
 */
public interface FilterFactory {

    /** The SPI version this build of the interface is; a plugin built against another is refused. */
    int SPI_VERSION = 1;

    /** The name used as {@code type} in {@code [[filters]]}. */
    String type();

    /** Binds and validates {@code config} once; called at start-up and by {@code --validate-config}. */
    Filter create(FilterConfig config, FilterEnv env) throws ConfigException;

    /** Keys a filter earlier in the chain must provide. */
    default Set<Key<?>> requires() {
        return Set.of();
    }

    /** Keys this filter provides to later ones. */
    default Set<Key<?>> provides() {
        return Set.of();
    }
}
