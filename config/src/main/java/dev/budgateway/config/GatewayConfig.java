package dev.budgateway.config;

import dev.budgateway.plugins.spi.ConfigProblem;
import java.util.List;
import java.util.Map;

/**
 * The whole config file.
 *
 * @param models by name, in declaration order
 * @param filters the {@code [[filters]]} entries in order; the default chain when the file has none
 * @param filtersDeclared whether the file declared {@code [[filters]]} itself
 * @param circuitBreaker {@code [circuit_breaker]}: every upstream endpoint's breaker unless its provider says
 *     otherwise; disabled when the file has no such table
 * @param lines where each key is written, to give problems found later their line
 * @param environmentValues what {@code ${VAR}} put in, kept out of problem reports
 * @param notices keys accepted but not acted on (written for the Rust gateway, not supported yet)
 * @param sections the settings of each registered {@link ConfigSection}, by name
 */
public record GatewayConfig(
        GatewaySettings gateway,
        CircuitBreakerConfig circuitBreaker,
        Map<String, ModelConfig> models,
        List<FilterSpec> filters,
        boolean filtersDeclared,
        TomlLines lines,
        EnvironmentValues environmentValues,
        List<ConfigProblem> notices,
        Map<String, Object> sections) {

    public GatewayConfig {
        models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        filters = List.copyOf(filters);
        notices = List.copyOf(notices);
        sections = Map.copyOf(sections);
    }

    /** The settings of {@code section}, or {@code null} when it gave none. */
    public <T> T section(ConfigSection<T> section) {
        @SuppressWarnings("unchecked")
        T settings = (T) sections.get(section.name());
        return settings;
    }

    /** Problems found after loading, as they are reported: with their lines, without environment values. */
    public List<ConfigProblem> report(List<ConfigProblem> problems) {
        return environmentValues.scrub(lines.locate(problems));
    }
}
