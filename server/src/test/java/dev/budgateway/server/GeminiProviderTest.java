package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code gemini} provider behind the OpenAI SDK, against a server speaking Gemini's REST and SSE format. */
class GeminiProviderTest {

    static MockOpenAi upstream;
    static TestGateway gw;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        gw = TestGateway.start("[models.gem]\nrouting = [\"g\"]\n[models.gem.providers.g]\n"
                + "type = \"google_ai_studio_gemini\"\napi_base = \"" + upstream.apiBase().replace("/v1", "/v1beta")
                + "\"\nmodel_name = \"gemini-2.5-flash\"\n", Map.of("GOOGLE_AI_STUDIO_API_KEY", "AIza-secret-key"));
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
    }

    static final String TEXT_RESPONSE = """
            {"candidates":[{"content":{"parts":[{"text":"Hello from Gemini"}],"role":"model"},
              "finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4,"totalTokenCount":13},
             "modelVersion":"gemini-2.5-flash","responseId":"abc123"}""";

    /** Gemini's SSE: one partial GenerateContentResponse per event, CRLF-framed. */
    static com.linecorp.armeria.common.HttpResponse sse(MockOpenAi up, com.linecorp.armeria.server.ServiceRequestContext ctx,
            List<String> events) {
        List<byte[]> writes = new ArrayList<>();
        for (String e : events) {
            writes.add(("data: " + e + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return up.stream(ctx, writes, 0);
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("gem").addSystemMessage("Be brief.")
                .addUserMessage("Say hello");
    }

    @Test
    void unaryChatIsTranslatedBothWays() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, TEXT_RESPONSE));
        ChatCompletion c = client.chat().completions().create(chat().maxCompletionTokens(50).stop("END").build());
        assertEquals("Hello from Gemini", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        assertEquals(13, c.usage().orElseThrow().totalTokens());

        MockOpenAi.Received r = upstream.received.get(0);
        assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", r.path());
        assertEquals("AIza-secret-key", r.header("x-goog-api-key"));
        JsonNode sent = r.json();
        assertEquals("Be brief.", sent.path("systemInstruction").path("parts").path(0).path("text").asText());
        assertEquals("user", sent.path("contents").path(0).path("role").asText());
        assertEquals("Say hello", sent.path("contents").path(0).path("parts").path(0).path("text").asText());
        assertEquals(50, sent.path("generationConfig").path("maxOutputTokens").asInt());
        assertEquals("END", sent.path("generationConfig").path("stopSequences").path(0).asText());
    }

    @Test
    void streamIsTranslatedWithUsage() {
        upstream.handle((ctx, r) -> sse(upstream, ctx, List.of(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}],"
                        + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo, wörld\"}],\"role\":\"model\"},\"index\":0}]}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"!\"}],\"role\":\"model\"},\"finishReason\":"
                        + "\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3,"
                        + "\"totalTokenCount\":8}}")));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        assertEquals("Hello, wörld!", chunks.stream().flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining()));
        assertEquals(8, chunks.get(chunks.size() - 1).usage().orElseThrow().totalTokens());
        assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", upstream.received.get(0).path());
    }

    @Test
    void toolsAndToolResultsRoundTrip() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, """
                {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"location":"Oslo"}}}],
                  "role":"model"},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"totalTokenCount":25}}"""));
        ChatCompletion c = client.chat().completions().create(chat().addTool(TestGateway.weatherTool()).build());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().get(0).finishReason());
        var call = c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals("{\"location\":\"Oslo\"}", call.function().arguments());
        JsonNode decl = upstream.received.get(0).json().path("tools").path(0).path("functionDeclarations").path(0);
        assertEquals("get_weather", decl.path("name").asText());
        assertFalse(decl.path("parameters").has("additionalProperties"), "Gemini rejects additionalProperties");

        upstream.received.clear();
        upstream.handle((ctx, r) -> MockOpenAi.json(200, TEXT_RESPONSE));
        client.chat().completions().create(chat().addTool(TestGateway.weatherTool())
                .addMessage(ChatCompletionAssistantMessageParam.builder().addToolCall(ChatCompletionMessageToolCall
                        .ofFunction(call)).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("-3°C").build())
                .build());
        JsonNode contents = upstream.received.get(0).json().path("contents");
        assertEquals("model", contents.path(1).path("role").asText());
        assertEquals("Oslo", contents.path(1).path("parts").path(0).path("functionCall").path("args").path("location")
                .asText());
        JsonNode response = contents.path(2).path("parts").path(0).path("functionResponse");
        assertEquals("get_weather", response.path("name").asText(), "named after the call it answers");
        assertEquals("-3°C", response.path("response").path("content").asText());
    }

    @Test
    void streamedToolCallArrivesWhole() {
        upstream.handle((ctx, r) -> sse(upstream, ctx, List.of(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":"
                        + "{\"location\":\"Rome\"}}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3,\"totalTokenCount\":8}}")));
        StringBuilder args = new StringBuilder();
        List<String> names = new ArrayList<>();
        List<ChatCompletionChunk.Choice.FinishReason> reasons = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat()
                .addTool(TestGateway.weatherTool()).build())) {
            s.stream().flatMap(c -> c.choices().stream()).forEach(ch -> {
                ch.finishReason().ifPresent(reasons::add);
                ch.delta().toolCalls().orElse(List.of()).forEach(tc -> {
                    tc.function().flatMap(f -> f.name()).ifPresent(names::add);
                    args.append(tc.function().flatMap(f -> f.arguments()).orElse(""));
                });
            });
        }
        assertEquals(List.of("get_weather"), names);
        assertEquals("{\"location\":\"Rome\"}", args.toString());
        assertEquals(List.of(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS), reasons);
    }

    @Test
    void imagesGoUpAsInlineDataAndSafetyBlocksAreContentFilter() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, """
                {"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[
                  {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],
                 "usageMetadata":{"promptTokenCount":300,"totalTokenCount":300}}"""));
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("gem")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Describe")
                                .build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                                ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/jpeg;base64,/9j/4AAQ")
                                        .build()).build())))
                .build());
        assertEquals(ChatCompletion.Choice.FinishReason.CONTENT_FILTER, c.choices().get(0).finishReason());
        JsonNode parts = upstream.received.get(0).json().path("contents").path(0).path("parts");
        assertEquals("image/jpeg", parts.path(1).path("inlineData").path("mimeType").asText());
        assertEquals("/9j/4AAQ", parts.path(1).path("inlineData").path("data").asText());
    }

    @Test
    void upstreamErrorsMapToOpenAiErrors() {
        upstream.handle((ctx, r) -> MockOpenAi.json(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. "
                + "Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\"}}"));
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(chat().build()));
        assertTrue(e.getMessage().contains("API key not valid"), e.getMessage());
        assertEquals("invalid_argument", e.code().orElseThrow());

        upstream.handle((ctx, r) -> MockOpenAi.json(503, "{\"error\":{\"code\":503,\"message\":\"The model is "
                + "overloaded.\",\"status\":\"UNAVAILABLE\"}}"));
        var unavailable = assertThrows(com.openai.errors.OpenAIServiceException.class, () -> client.chat()
                .completions().create(chat().build()));
        assertEquals(502, unavailable.statusCode());
    }
}
