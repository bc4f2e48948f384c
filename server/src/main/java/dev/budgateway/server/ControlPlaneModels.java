package dev.budgateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.config.ModelTable;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.RecordListener;
import dev.budgateway.filters.controlplane.RsaSecrets;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.ModelCatalog;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the catalogue's published models equal to the control plane's {@code model_table:*} records: each
 * record is read like a {@code [models.X]} table, its {@code api_key} decrypted once (RSA-OAEP) and handed to
 * its providers as {@code dynamic::store_<endpoint_id>}. A record that cannot be served (invalid, or a secret
 * that does not decrypt) leaves its model marked misconfigured, so its requests get a 500 that says so
 * instead of an old upstream or a cipher text sent as a key.
 */
final class ControlPlaneModels implements RecordListener {

    private static final Logger logger = LoggerFactory.getLogger(ControlPlaneModels.class);

    private final ModelCatalog catalog;
    private final RsaSecrets secrets;

    private ControlPlaneModels(ModelCatalog catalog, RsaSecrets secrets) {
        this.catalog = catalog;
        this.secrets = secrets;
    }

    static void watch(ControlPlane controlPlane, ModelCatalog catalog, RsaSecrets secrets) {
        controlPlane.watch(ModelTable.PREFIX + "*", new ControlPlaneModels(catalog, secrets));
    }

    @Override
    public void put(String key, String value) {
        String endpointId = key.substring(ModelTable.PREFIX.length());
        JsonNode record;
        try {
            record = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            catalog.misconfigured(endpointId, "its record is not JSON");
            return;
        }
        ModelTable table = ModelTable.read(endpointId, record);
        if (!table.problems().isEmpty()) {
            ConfigProblem p = table.problems().get(0);
            catalog.misconfigured(endpointId, p.path() + ": " + p.message()
                    + (table.problems().size() > 1 ? " (and " + (table.problems().size() - 1) + " more)" : ""));
            return;
        }
        String secret = null;
        if (table.encryptedKey() != null) {
            try {
                secret = secrets.decrypt(table.encryptedKey());
            } catch (RsaSecrets.SecretException e) {
                catalog.misconfigured(endpointId, "its api_key: " + e.getMessage());
                return;
            }
        }
        String store = ModelTable.storeName(endpointId);
        String clear = secret;
        List<ConfigProblem> problems = catalog.publish(table.model(), name -> name.equals(store) ? clear : null);
        if (problems.isEmpty()) {
            logger.debug("Published model {}", endpointId);
        }
    }

    @Override
    public void remove(String key) {
        catalog.unpublish(key.substring(ModelTable.PREFIX.length()));
    }
}
