package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.ConfigReader;
import dev.budgateway.config.ConfigSection;
import dev.budgateway.filters.auth.KeyHash;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code [admin]}: {@code key = "env::VAR"} (the key itself never sits in the file) or {@code sha256 = "<hex>"},
 * and {@code protect_metrics}.
 */
public final class AdminSection implements ConfigSection<AdminSettings> {

    static final AdminSection INSTANCE = new AdminSection();

    @Override
    public String name() {
        return "admin";
    }

    @Override
    public AdminSettings read(ObjectNode table, ConfigReader r, Function<String, String> env) {
        if (table == null) {
            return AdminSettings.NONE;
        }
        r.onlyKeys(table, "admin", Set.of("key", "sha256", "protect_metrics"));
        String key = r.string(table, "key", "admin", false);
        String sha = r.string(table, "sha256", "admin", false);
        Boolean protect = r.bool(table, "protect_metrics", "admin");
        byte[] digest = null;
        if (key != null && sha != null) {
            r.problem("admin", "give key or sha256, not both");
        } else if (sha != null) {
            if (!sha.matches("[0-9a-fA-F]{64}")) {
                r.problem("admin.sha256", "expected 64 hex digits");
            } else {
                digest = HexFormat.of().parseHex(sha.toLowerCase(java.util.Locale.ROOT));
            }
        } else if (key != null) {
            if (!key.startsWith("env::")) {
                r.problem("admin.key", "expected env::VAR (or give sha256): the key does not belong in the file");
            } else {
                String value = env.apply(key.substring(5));
                if (value == null || value.isBlank()) {
                    r.problem("admin.key", "environment variable " + key.substring(5) + " is not set");
                } else {
                    digest = KeyHash.sha256(value.strip());
                }
            }
        }
        if (Boolean.TRUE.equals(protect) && digest == null) {
            r.problem("admin.protect_metrics", "needs an admin key (key or sha256)");
        }
        return new AdminSettings(digest, Boolean.TRUE.equals(protect));
    }
}
