package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.budgateway.config.ConfigLoader;
import dev.budgateway.plugins.spi.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Azure OpenAI and the self-hosted OpenAI-compatible engines, against real servers. */
class OpenAiCompatibleProvidersTest {

    static MockOpenAi upstream;
    static TestGateway gw;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        String base = upstream.apiBase();
        gw = TestGateway.start("[models.az]\nrouting = [\"a\"]\n[models.az.providers.a]\ntype = \"azure\"\n"
                + "endpoint = \"" + base.replace("/v1", "") + "\"\ndeployment_id = \"gpt4o-prod\"\n"
                + "api_version = \"2024-10-21\"\n"
                + "[models.local]\nrouting = [\"v\"]\n[models.local.providers.v]\ntype = \"vllm\"\napi_base = \"" + base
                + "\"\nmodel_name = \"Qwen/Qwen2.5-7B\"\n"
                + "[models.llama]\nrouting = [\"o\"]\n[models.llama.providers.o]\ntype = \"ollama\"\napi_base = \""
                + base + "\"\nmodel_name = \"llama3.2\"\n",
                Map.of("AZURE_OPENAI_API_KEY", "azure-secret-key"));
        client = gw.sdk();
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.received.clear();
        upstream.answerChat("ok");
    }

    @Test
    void azureUsesDeploymentPathApiVersionAndApiKeyHeader() {
        client.chat().completions().create(ChatCompletionCreateParams.builder().model("az").addUserMessage("hi")
                .build());
        MockOpenAi.Received r = upstream.received.get(0);
        assertEquals("/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21", r.path());
        assertEquals("azure-secret-key", r.header("api-key"));
        assertEquals(null, r.authorization());
    }

    @Test
    void azureErrorsKeepTheirCodes() {
        upstream.handle((ctx, r) -> MockOpenAi.json(404, "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":"
                + "\"The API deployment for this resource does not exist.\"}}"));
        NotFoundException missing = assertThrows(NotFoundException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("az").addUserMessage("hi").build()));
        assertEquals("DeploymentNotFound", missing.code().orElseThrow());

        upstream.handle((ctx, r) -> MockOpenAi.json(400, "{\"error\":{\"message\":\"The response was filtered due to "
                + "the prompt triggering Azure OpenAI's content management policy.\",\"type\":null,\"param\":\"prompt\","
                + "\"code\":\"content_filter\",\"status\":400,\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\"}}}"));
        BadRequestException filtered = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("az").addUserMessage("hi").build()));
        assertEquals("content_filter", filtered.code().orElseThrow());
    }

    @Test
    void selfHostedEnginesGetEngineParametersUntouched() {
        client.chat().completions().create(ChatCompletionCreateParams.builder().model("local").addUserMessage("hi")
                .putAdditionalBodyProperty("guided_json", JsonValue.from(Map.of("type", "object")))
                .putAdditionalBodyProperty("chat_template_kwargs", JsonValue.from(Map.of("enable_thinking", false)))
                .putAdditionalBodyProperty("top_k", JsonValue.from(20))
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true))
                .build());
        JsonNode sent = upstream.received.get(0).json();
        assertEquals("Qwen/Qwen2.5-7B", sent.path("model").asText());
        assertEquals("object", sent.path("guided_json").path("type").asText());
        assertEquals(false, sent.path("chat_template_kwargs").path("enable_thinking").asBoolean(true));
        assertEquals(20, sent.path("top_k").asInt());
        assertTrue(sent.path("ignore_eos").asBoolean());
        assertEquals(null, upstream.received.get(0).authorization(), "no key by default");

        client.chat().completions().create(ChatCompletionCreateParams.builder().model("llama").addUserMessage("hi")
                .build());
        assertEquals("llama3.2", upstream.received.get(1).json().path("model").asText());
    }

    @Test
    void configProblemsAreNamedWithTheirKeys() {
        ConfigException noBase = assertThrows(ConfigException.class, () -> TestGateway.start(
                "[models.m]\nrouting = [\"o\"]\n[models.m.providers.o]\ntype = \"ollama\"\nmodel_name = \"x\"\n"));
        assertTrue(noBase.getMessage().contains("models.m.providers.o.api_base"), noBase.getMessage());

        ConfigException azure = assertThrows(ConfigException.class, () -> TestGateway.start(
                "[models.m]\nrouting = [\"a\"]\n[models.m.providers.a]\ntype = \"azure\"\nendpoint = \"https://x\"\n"
                        + "deployment = \"typo\"\n", Map.of("AZURE_OPENAI_API_KEY", "k")));
        assertTrue(azure.getMessage().contains("deployment_id"), azure.getMessage());
        assertTrue(azure.getMessage().contains("models.m.providers.a.deployment (line 10): unknown key for type "
                + "\"azure\""), azure.getMessage());

        ConfigException bedrock = assertThrows(ConfigException.class, () -> TestGateway.start(
                "[models.m]\nrouting = [\"b\"]\n[models.m.providers.b]\ntype = \"aws_bedrock\"\nmodel_id = \"x\"\n"));
        assertTrue(bedrock.getMessage().contains("region"), bedrock.getMessage());
        assertTrue(bedrock.getMessage().contains("AWS_ACCESS_KEY_ID"), bedrock.getMessage());
        assertTrue(ConfigLoader.DEFAULT_CHAIN.contains("routing"));
    }
}
