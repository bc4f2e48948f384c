package dev.budgateway.filters.auth;

import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.RecordListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API keys budapp published, as the mirror keeps them: {@code api_key:<hash>} records by hash, and
 * {@code published_model_info}, the grants every {@code bud_client} key has besides its own. A lookup is a
 * hash and a map read; the map changes on the mirror's thread.
 */
final class ControlPlaneKeys {

    static final String KEY_PREFIX = "api_key:";
    static final String PUBLISHED = "published_model_info";
    /** Keys of client apps; they also get the published models (the Rust gateway's rule). */
    static final String CLIENT_APP_PREFIX = "bud_client";

    private final Map<String, ApiKeyRecord> byHash = new ConcurrentHashMap<>();
    private final String hashPrefix;
    private volatile ApiKeyRecord published;

    ControlPlaneKeys(ControlPlane controlPlane, String hashPrefix) {
        this.hashPrefix = hashPrefix;
        controlPlane.watch(KEY_PREFIX + "*", new RecordListener() {
            @Override
            public void put(String key, String value) {
                byHash.put(key.substring(KEY_PREFIX.length()), ApiKeyRecord.parse(value));
            }

            @Override
            public void remove(String key) {
                byHash.remove(key.substring(KEY_PREFIX.length()));
            }

            @Override
            public String describe(String key) {
                return "api_key:<hash not logged>";
            }
        });
        controlPlane.watch(PUBLISHED, new RecordListener() {
            @Override
            public void put(String key, String value) {
                published = ApiKeyRecord.parse(value);
            }

            @Override
            public void remove(String key) {
                published = null;
            }
        });
    }

    /** The record of the presented key, or {@code null} when budapp has none (or no longer has it). */
    ApiKeyRecord find(String presented) {
        return byHash.get(KeyHash.sha256Hex(hashPrefix + presented));
    }

    /** The grant of {@code model} for the presented key's record: its own, or a published one for client apps. */
    ApiKeyRecord.Grant grant(ApiKeyRecord record, String presented, String model) {
        ApiKeyRecord.Grant g = record.models().get(model);
        if (g == null && presented.startsWith(CLIENT_APP_PREFIX)) {
            ApiKeyRecord p = published;
            return p == null ? null : p.models().get(model);
        }
        return g;
    }

    /** What the key may use, as {@code /v1/models} lists it: its names and, for client apps, the published ones. */
    dev.budgateway.plugins.spi.ModelGrants grants(ApiKeyRecord record, String presented) {
        ApiKeyRecord p = published;
        if (p == null || !presented.startsWith(CLIENT_APP_PREFIX)) {
            return record.grants(); // built once, when the record arrived
        }
        java.util.Set<String> names = new java.util.HashSet<>(record.models().keySet());
        names.addAll(p.models().keySet());
        return ApiKeyRecord.listed(names);
    }

    int size() {
        return byHash.size();
    }
}
