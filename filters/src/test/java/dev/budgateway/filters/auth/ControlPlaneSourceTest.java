package dev.budgateway.filters.auth;

import static dev.budgateway.filters.controlplane.Eventually.within;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.FilterSpec;
import dev.budgateway.filters.controlplane.BudappKeys;
import dev.budgateway.filters.controlplane.ControlPlane;
import dev.budgateway.filters.controlplane.RedisControlPlane;
import dev.budgateway.filters.controlplane.RedisServer;
import dev.budgateway.filters.controlplane.RedisSettings;
import dev.budgateway.plugins.runtime.testing.ChainHarness;
import dev.budgateway.plugins.runtime.testing.TestFilterEnv;
import dev.budgateway.plugins.runtime.testing.Upstreams;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterMetrics;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Keys;
import io.lettuce.core.RedisURI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Control-plane keys through the chain harness, from a real Redis filled in budapp's formats. */
class ControlPlaneSourceTest {

    static RedisServer redis;
    static RedisControlPlane mirror;
    static final TestFilterEnv env = new TestFilterEnv();
    static Filter auth;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        redis.set(BudappKeys.apiKeyRedisKey("sk-user"), "{\"gpt-4o\": {\"endpoint_id\": \"ep-1\", \"model_id\": \"m-1\", "
                + "\"project_id\": \"p-9\"}, \"prompt:summary\": {\"endpoint_id\": \"ep-p\", \"model_id\": \"m-p\", "
                + "\"project_id\": \"p-9\", \"prompt_id\": \"pr-1\", \"prompt_version_id\": \"pv-3\", \"version\": 3}, "
                + "\"__metadata__\": {\"api_key_id\": \"key-7\", \"user_id\": \"user-5\", \"api_key_project_id\": "
                + "\"p-9\"}}");
        redis.set(BudappKeys.apiKeyRedisKey("bud_client_app"), BudappKeys.apiKeyRecord("own-model", "ep-own", "app"));
        redis.set("published_model_info", "{\"public-model\": {\"endpoint_id\": \"ep-pub\", \"model_id\": \"m\", "
                + "\"project_id\": \"p\"}}");
        mirror = new RedisControlPlane(new RedisSettings(RedisURI.create(redis.url()), true, 300_000, 1_000),
                FilterMetrics.NONE);
        env.with(ControlPlane.SERVICE, mirror);
        ObjectNode settings = (ObjectNode) Json.parse("{}".getBytes(StandardCharsets.UTF_8));
        auth = new AuthFilterFactory().create(new FilterSpec("filters[0]", "auth", "auth", true, "reject",
                FilterConfig.DEFAULT_TIMEOUT_MS, settings), env);
        mirror.start();
        within(5_000, mirror::loaded, "the first load");
    }

    @AfterAll
    static void stop() {
        mirror.close();
        redis.close();
        env.close();
    }

    static ChainHarness chain() {
        return ChainHarness.create().filter("auth", auth).filter("routing", e -> FilterResult.CONTINUE)
                .upstream(Upstreams.unary("{\"choices\":[]}"));
    }

    static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aGrantResolvesTheNameToItsEndpointAndNamesTheCaller() throws Exception {
        try (ChainHarness h = chain()) {
            ChainHarness.Outcome o = h.send(BODY, Map.of("authorization", "Bearer sk-user"));
            assertEquals(200, o.status());
            assertEquals("ep-1", o.get(Keys.RESOLVED_MODEL));
            Identity id = o.get(Keys.IDENTITY);
            assertEquals("key-7", id.apiKeyId());
            assertEquals("user-5", id.userId());
            assertEquals("p-9", id.projectId());
            assertEquals("m-1", id.attributes().get("model_id"));
            assertEquals(404, h.send(BODY.replace("gpt-4o", "o3"), Map.of("authorization", "Bearer sk-user")).status());
        }
    }

    @Test
    void promptsAreGrantedByTheirId() throws Exception {
        try (ChainHarness h = chain()) {
            ChainHarness.Outcome o = h.send("{\"prompt\":{\"id\":\"summary\"},\"input\":\"text\"}",
                    Map.of("authorization", "Bearer sk-user"));
            assertEquals(200, o.status(), String.valueOf(o.error()));
            assertEquals("ep-p", o.get(Keys.RESOLVED_MODEL));
            assertEquals("pv-3", o.get(Keys.IDENTITY).attributes().get("prompt_version_id"));
            ChainHarness.Outcome missing = h.send("{\"prompt\":{\"id\":\"other\"}}", Map.of("authorization",
                    "Bearer sk-user"));
            assertEquals("Prompt not found: other", missing.error().message());
        }
    }

    @Test
    void clientAppKeysAlsoGetThePublishedModels() throws Exception {
        try (ChainHarness h = chain()) {
            ChainHarness.Outcome pub = h.send(BODY.replace("gpt-4o", "public-model"), Map.of("x-api-key",
                    "bud_client_app"));
            assertEquals(200, pub.status());
            assertEquals("ep-pub", pub.get(Keys.RESOLVED_MODEL));
            assertEquals(404, h.send(BODY.replace("gpt-4o", "public-model"), Map.of("authorization", "Bearer sk-user"))
                    .status(), "only bud_client keys get the published models");
        }
        try (ChainHarness h = chain().endpoint(ApiEndpoint.MODELS)) {
            assertEquals(Set.of("own-model", "public-model"), h.send("{}", Map.of("x-api-key", "bud_client_app"))
                    .get(Keys.MODEL_GRANTS).names());
            assertEquals(Set.of("gpt-4o"), h.send("{}", Map.of("authorization", "Bearer sk-user"))
                    .get(Keys.MODEL_GRANTS).names(), "prompt grants are not listed as models");
        }
    }
}
