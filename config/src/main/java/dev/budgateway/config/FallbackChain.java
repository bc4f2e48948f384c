package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One {@code [[fallback_chains]]} entry as written: {@code primary} and its {@code fallbacks}, which name
 * models in the gateway's own form and providers in the seeds' provider-centric one.
 *
 * @param path the entry's key path, e.g. {@code fallback_chains[0]}
 */
record FallbackChain(String path, String primary, List<String> fallbacks) {

    /** The well-formed entries of {@code chains} (the top-level value, or {@code null}); problems to {@code r}. */
    static List<FallbackChain> read(JsonNode chains, ConfigReader r) {
        List<FallbackChain> out = new ArrayList<>();
        if (chains == null) {
            return out;
        }
        if (!chains.isArray()) {
            r.problem("fallback_chains", "expected a list of tables ([[fallback_chains]]), found "
                    + ConfigReader.describe(chains));
            return out;
        }
        for (int i = 0; i < chains.size(); i++) {
            String path = "fallback_chains[" + i + "]";
            JsonNode chain = chains.get(i);
            if (!chain.isObject()) {
                r.problem(path, "expected a table, found " + ConfigReader.describe(chain));
                continue;
            }
            r.onlyKeys((ObjectNode) chain, path, Set.of("primary", "fallbacks"));
            String primary = r.string(chain, "primary", path, true);
            List<String> fallbacks = r.strings(chain, "fallbacks", path, true);
            if (primary != null && fallbacks != null) {
                out.add(new FallbackChain(path, primary, fallbacks));
            }
        }
        return out;
    }
}
