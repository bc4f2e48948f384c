package dev.budgateway.config;

import java.util.List;
import java.util.Map;

/**
 * The whole config file.
 *
 * @param models by name, in declaration order
 * @param filters the {@code [[filters]]} entries in order; the default chain when the file has none
 * @param filtersDeclared whether the file declared {@code [[filters]]} itself
 * @param lines where each key is written, to give problems found later their line
 */
public record GatewayConfig(
        GatewaySettings gateway,
        Map<String, ModelConfig> models,
        List<FilterSpec> filters,
        boolean filtersDeclared,
        TomlLines lines) {

    public GatewayConfig {
        models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        filters = List.copyOf(filters);
    }
}
