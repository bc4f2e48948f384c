package dev.budgateway.plugins.example;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.Json;
import java.nio.charset.StandardCharsets;

/** Makes an example filter from its factory and its {@code [[filters]]} keys, as the gateway does. */
final class ExampleFilters {

    private ExampleFilters() {}

    static Filter make(FilterFactory factory, String settingsJson, TestFilterEnv env) throws Exception {
        ObjectNode settings = (ObjectNode) Json.parse(settingsJson.getBytes(StandardCharsets.UTF_8));
        return factory.create(new FilterSpec("filters[0]", factory.type(), factory.type(), true, "reject",
                FilterConfig.DEFAULT_TIMEOUT_MS, settings), env);
    }
}
