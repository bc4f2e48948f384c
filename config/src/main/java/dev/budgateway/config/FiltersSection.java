package dev.budgateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.FilterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code [[filters]]}: the chain, in order; the default chain when the file declares none. */
final class FiltersSection {

    private static final Set<String> RESERVED = Set.of("type", "name", "enabled", "on_error", "timeout_ms");

    private FiltersSection() {}

    static List<FilterSpec> readFilters(JsonNode node, ConfigReader r) {
        List<FilterSpec> out = new ArrayList<>();
        if (!node.isArray()) {
            r.problem("filters", "expected a list of tables ([[filters]]), found " + ConfigReader.describe(node));
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "filters[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                r.problem(path, "expected a table, found " + ConfigReader.describe(entry));
                continue;
            }
            String type = r.string(entry, "type", path, true);
            String name = r.string(entry, "name", path, false);
            Boolean enabled = r.bool(entry, "enabled", path);
            String onError = r.string(entry, "on_error", path, false);
            if (onError != null && !onError.equals("reject") && !onError.equals("skip")) {
                r.problem(path + ".on_error", "expected \"reject\" or \"skip\", found \""
                        + ConfigText.printable(onError) + "\"");
            }
            Long timeoutMs = r.longInRange(entry, "timeout_ms", path, 1, ConfigReader.DAY_MS);
            if (type == null) {
                continue;
            }
            ObjectNode settings = ((ObjectNode) entry).deepCopy();
            settings.remove(RESERVED);
            out.add(new FilterSpec(path, type, name != null ? name : type, enabled == null || enabled,
                    onError != null ? onError : "reject",
                    timeoutMs != null ? timeoutMs : FilterConfig.DEFAULT_TIMEOUT_MS,
                    settings));
        }
        return out;
    }

    /**
     * The chain of a file without {@code [[filters]]}, as the Rust gateway's layers: client-info and blocking when
     * blocking is on; auth; the usage quotas where auth runs on the control plane's keys; rate limits when
     * {@code [gateway.rate_limits]} is on; then routing and fallback.
     */
    static List<FilterSpec> defaultFilters(boolean withBlocking, String geoipDb, boolean withAuth,
            boolean withUsageLimits, boolean withRateLimits) {
        List<FilterSpec> out = new ArrayList<>();
        List<String> chain = new ArrayList<>();
        if (withBlocking) {
            chain.add("client-info");
            chain.add("blocking");
        }
        if (withAuth) {
            chain.add("auth");
        }
        if (withUsageLimits) {
            chain.add("usage-limits");
        }
        if (withRateLimits) {
            chain.add("rate-limits");
        }
        chain.addAll(ConfigLoader.DEFAULT_CHAIN);
        for (int i = 0; i < chain.size(); i++) {
            String type = chain.get(i);
            ObjectNode settings = JsonNodeFactory.instance.objectNode();
            if (type.equals("client-info") && geoipDb != null) {
                settings.put("geoip_db", geoipDb);
            }
            out.add(new FilterSpec("filters[" + i + "] (default chain)", type, type, true, "reject",
                    FilterConfig.DEFAULT_TIMEOUT_MS, settings));
        }
        return out;
    }
}
