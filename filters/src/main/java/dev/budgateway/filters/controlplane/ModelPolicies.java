package dev.budgateway.filters.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.config.ModelTable;
import dev.budgateway.plugins.spi.Json;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One policy field of the control plane's model tables ({@code rate_limits}, {@code pricing}), read per endpoint id
 * and kept current as budapp rewrites {@code model_table:<endpoint_id>}. A field that cannot be read is not
 * applied, and says so in the log; the model itself is the catalogue's business.
 *
 * @param <T> the field as its filter reads it
 */
public final class ModelPolicies<T> implements RecordListener {

    private static final Logger logger = LoggerFactory.getLogger(ModelPolicies.class);

    private final String field;
    private final Function<JsonNode, T> reader;
    private final Map<String, T> byEndpoint = new ConcurrentHashMap<>();

    /** {@code reader} turns the field's JSON into {@code T}, throwing {@link IllegalArgumentException} if it cannot. */
    public ModelPolicies(String field, Function<JsonNode, T> reader) {
        this.field = field;
        this.reader = reader;
    }

    public ModelPolicies<T> watch(ControlPlane controlPlane) {
        controlPlane.watch(ModelTable.PREFIX + "*", this);
        return this;
    }

    /** The field of {@code endpointId}'s table, or {@code null} when it has none (or no table). */
    public T of(String endpointId) {
        return endpointId == null ? null : byEndpoint.get(endpointId);
    }

    public boolean isEmpty() {
        return byEndpoint.isEmpty();
    }

    @Override
    public void put(String key, String value) {
        String endpointId = key.substring(ModelTable.PREFIX.length());
        try {
            JsonNode node = Json.MAPPER.readTree(value).path(endpointId).path(field);
            if (node.isObject()) {
                byEndpoint.put(endpointId, reader.apply(node));
            } else {
                byEndpoint.remove(endpointId);
            }
        } catch (IOException | IllegalArgumentException e) {
            byEndpoint.remove(endpointId);
            logger.warn("The {} of model_table:{} cannot be read ({}): not applied", field, endpointId,
                    e instanceof IOException ? "not JSON" : e.getMessage());
        }
    }

    @Override
    public void remove(String key) {
        byEndpoint.remove(key.substring(ModelTable.PREFIX.length()));
    }
}
