package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the gateway, with a real OpenAI-speaking upstream behind it. */
class OpenAiSdkTest {

    static MockOpenAi upstream;
    static TestGateway gw;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        gw = TestGateway.start(TestGateway.mockModel(upstream)
                + "[models.other]\nrouting = [\"d\"]\n[models.other.providers.d]\ntype = \"dummy\"\nmodel_name = \"echo\"\n");
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
        upstream.answerChat("Hello there, traveller");
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("mock").addUserMessage("Say hello");
    }

    @Test
    void chatCompletionReturnsUpstreamContentAndUsage() {
        ChatCompletion c = client.chat().completions().create(chat().build());
        assertEquals("Hello there, traveller", c.choices().get(0).message().content().orElseThrow());
        assertEquals(10, c.usage().orElseThrow().totalTokens());
        MockOpenAi.Received r = upstream.received.get(0);
        assertEquals("/v1/chat/completions", r.path());
        assertEquals("mock-model", r.json().path("model").asText(), "model is replaced by the provider's model_name");
        assertNull(r.authorization(), "the client's key never goes upstream");
    }

    @Test
    void streamingChatDeliversExactContentAndUsageChunkWhenAsked() {
        ChatCompletionCreateParams params = chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunks::add);
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        assertEquals("Hello there, traveller", text);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertEquals(3, last.usage().orElseThrow().completionTokens());
    }

    @Test
    void streamingChatWithoutIncludeUsageHidesTheUsageChunkButTheGatewayStillAsksForIt() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat().build())) {
            s.stream().forEach(chunks::add);
        }
        assertTrue(chunks.stream().noneMatch(c -> c.usage().isPresent()), "client did not ask for usage");
        assertTrue(upstream.received.get(0).json().path("stream_options").path("include_usage").asBoolean(),
                "the gateway asks upstream for usage to account tokens");
    }

    @Test
    void completionsPassThrough() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, "{\"id\":\"cmpl-1\",\"object\":\"text_completion\","
                + "\"created\":1,\"model\":\"mock-model\",\"choices\":[{\"text\":\"four\",\"index\":0,\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}"));
        Completion c = client.completions().create(CompletionCreateParams.builder().model("mock").prompt("2+2=").build());
        assertEquals("four", c.choices().get(0).text());
        assertEquals("/v1/completions", upstream.received.get(0).path());
        assertEquals("2+2=", upstream.received.get(0).json().path("prompt").asText());
    }

    @Test
    void embeddingsAsFloatsAndAsBase64() {
        float[] vector = {0.25f, -1.5f, 3.0f};
        upstream.handle((ctx, r) -> {
            String value;
            if ("base64".equals(r.json().path("encoding_format").asText())) {
                ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : vector) {
                    b.putFloat(f);
                }
                value = "\"" + Base64.getEncoder().encodeToString(b.array()) + "\"";
            } else {
                value = "[0.25,-1.5,3.0]";
            }
            return MockOpenAi.json(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                    + "\"embedding\":" + value + "}],\"model\":\"mock-model\",\"usage\":{\"prompt_tokens\":2,"
                    + "\"total_tokens\":2}}");
        });
        CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder().model("mock")
                .input("hello").encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        assertEquals(List.of(0.25f, -1.5f, 3.0f), floats.data().get(0).embedding());
        CreateEmbeddingResponse base64 = client.embeddings().create(EmbeddingCreateParams.builder().model("mock")
                .input("hello").encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
        assertEquals(List.of(0.25f, -1.5f, 3.0f), base64.data().get(0).embedding());
        assertEquals("/v1/embeddings", upstream.received.get(0).path());
        assertEquals("base64", upstream.received.get(1).json().path("encoding_format").asText());
    }

    @Test
    void modelsListsTheConfiguredModels() {
        List<String> ids = new ArrayList<>();
        client.models().list().autoPager().forEach(m -> ids.add(m.id()));
        assertEquals(List.of("mock", "other"), ids);
        Model one = client.models().retrieve("other");
        assertEquals("other", one.id());
    }

    @Test
    void dummyModelsWorkThroughTheSdkToo() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("other")
                .addUserMessage("ünïcødé 🚀 echo").build());
        assertEquals("ünïcødé 🚀 echo", c.choices().get(0).message().content().orElseThrow());
        assertFalse(c.usage().isEmpty());
    }

    @Test
    void metricsCountRequestsTokensAndFilterTimesPerModelAndProvider() throws Exception {
        client.chat().completions().create(chat().build());
        String metrics = gw.get("/metrics").body();
        assertTrue(metrics.contains("budgateway_requests_total{endpoint=\"chat\",model=\"mock\",provider=\"up\","
                + "status=\"200\"}"), metrics);
        assertTrue(metrics.contains("gen_ai_client_token_usage_total{gen_ai_token_type=\"output\",model=\"mock\","
                + "provider=\"up\"}"), metrics);
        assertTrue(metrics.contains("budgateway_request_duration_seconds_bucket{"), metrics);
        assertTrue(metrics.contains("budgateway_filter_duration_seconds_count{filter=\"routing\",outcome=\"continue\"}"),
                metrics);
        String health = gw.get("/health").body();
        assertTrue(health.contains("\"status\":\"ok\"") && health.contains("\"uptime_seconds\""), health);
    }
}
