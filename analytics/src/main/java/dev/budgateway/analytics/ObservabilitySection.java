package dev.budgateway.analytics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.ConfigReader;
import dev.budgateway.config.ConfigSection;
import dev.budgateway.plugins.spi.Pricing;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code [observability]}: {@code cost_header} (default false) and {@code traces} (export spans over OTLP;
 * the Rust gateway's {@code [gateway.export.otlp.traces] enabled} says the same); and the models' {@code pricing}.
 */
public final class ObservabilitySection implements ConfigSection<ObservabilitySettings> {

    public static final ObservabilitySection INSTANCE = new ObservabilitySection();
    private static final Set<String> KEYS = Set.of("cost_header", "traces");

    @Override
    public String name() {
        return "observability";
    }

    @Override
    public ObservabilitySettings read(ObjectNode table, ConfigReader r, Function<String, String> env) {
        boolean costHeader = false;
        Boolean traces = r.traceExport();
        if (table != null) {
            r.onlyKeys(table, "observability", KEYS);
            Boolean b = r.bool(table, "cost_header", "observability");
            costHeader = b != null && b;
            b = r.bool(table, "traces", "observability");
            traces = b != null ? b : traces;
        }
        Map<String, Pricing> prices = new LinkedHashMap<>();
        r.modelPolicies("pricing").forEach((model, node) -> {
            try {
                prices.put(model, Pricing.parse(node));
            } catch (IllegalArgumentException e) {
                r.problem("models." + model + ".pricing", e.getMessage());
            }
        });
        return new ObservabilitySettings(costHeader, traces, prices);
    }
}
