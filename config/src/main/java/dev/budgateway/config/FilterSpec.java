package dev.budgateway.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.FilterConfig;
import java.util.TreeSet;

/**
 * One {@code [[filters]]} entry. Binds its filter-specific keys (snake_case in TOML, camelCase in the
 * record) strictly.
 *
 * @param onError {@code reject} (fail closed, the default) or {@code skip} (fail open)
 * @param timeoutMs how long the filter may take to decide a request when it works asynchronously; then its
 *     {@code on_error} decides
 */
public record FilterSpec(String path, String type, String name, boolean enabled, String onError, long timeoutMs,
        ObjectNode settings) implements FilterConfig {

    private static final ObjectMapper BINDER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    @Override
    public <T> T bind(Class<T> recordType) throws ConfigException {
        try {
            return BINDER.treeToValue(settings, recordType);
        } catch (UnrecognizedPropertyException e) {
            TreeSet<String> known = new TreeSet<>();
            if (e.getKnownPropertyIds() != null) {
                e.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            throw new ConfigException(pathOf(e), "unknown key"
                    + (known.isEmpty() ? " (this filter takes no keys)" : " (known: " + String.join(", ", known) + ")"));
        } catch (JsonMappingException e) {
            String message = e.getOriginalMessage();
            if (message.startsWith("Missing required creator property")) {
                message = "missing required key";
            }
            throw new ConfigException(pathOf(e), message);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(path, e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            // Thrown by a record's compact constructor that validates its values.
            throw new ConfigException(path, e.getMessage());
        }
    }

    private String pathOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder(path);
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
