package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code anthropic} provider behind the OpenAI SDK: a real HTTP server answers with the Messages API's
 * JSON and its exact SSE event sequence; the client sees OpenAI's chat API.
 */
class AnthropicProviderTest {

    static MockOpenAi upstream;
    static TestGateway gw;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        gw = TestGateway.start("[models.claude]\nrouting = [\"a\"]\n[models.claude.providers.a]\n"
                + "type = \"anthropic\"\napi_base = \"" + upstream.apiBase() + "\"\nmodel_name = \"claude-sonnet-4-5\"\n"
                + "api_key_location = \"env::ANTHROPIC_KEY\"\n", Map.of("ANTHROPIC_KEY", "sk-ant-secret-123"));
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

    static final String TEXT_MESSAGE = """
            {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[{"type":"text","text":"Hello from Claude"}],"stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":12,"output_tokens":4,"cache_read_input_tokens":100,
                      "cache_creation_input_tokens":0}}""";

    static List<String[]> textEvents() {
        return List.of(
                new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":"
                        + "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
                        + "\"output_tokens\":1,\"cache_read_input_tokens\":5}}}"},
                new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"},
                new String[] {"ping", "{\"type\": \"ping\"}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":\"Hello\"}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":\", wörld!\"}}"},
                new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"},
                new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}"},
                new String[] {"message_stop", "{\"type\":\"message_stop\"}"});
    }

    static List<String[]> toolEvents() {
        return List.of(
                new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":"
                        + "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,"
                        + "\"output_tokens\":2}}}"},
                new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":\"Let me check.\"}}"},
                new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"},
                new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
                        + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\","
                        + "\"name\":\"get_weather\",\"input\":{}}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"location\\\": \\\"San Fra\"}}"},
                new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"ncisco, CA\\\"}\"}}"},
                new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"},
                new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}"},
                new String[] {"message_stop", "{\"type\":\"message_stop\"}"});
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("claude").addSystemMessage("Be brief.")
                .addUserMessage("Say hello");
    }

    @Test
    void unaryChatIsTranslatedBothWays() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, TEXT_MESSAGE));
        ChatCompletion c = client.chat().completions().create(chat().stop("END").temperature(0.2).build());
        assertEquals("Hello from Claude", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        assertEquals(112, c.usage().orElseThrow().promptTokens(), "cached input counts as prompt tokens");
        assertEquals(100, c.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
        assertEquals(4, c.usage().orElseThrow().completionTokens());

        MockOpenAi.Received r = upstream.received.get(0);
        assertEquals("/v1/messages", r.path());
        assertEquals("sk-ant-secret-123", r.header("x-api-key"));
        assertEquals("2023-06-01", r.header("anthropic-version"));
        assertEquals(null, r.authorization());
        JsonNode sent = r.json();
        assertEquals("claude-sonnet-4-5", sent.path("model").asText());
        assertEquals("Be brief.", sent.path("system").path(0).path("text").asText());
        assertEquals("user", sent.path("messages").path(0).path("role").asText());
        assertEquals("Say hello", sent.path("messages").path(0).path("content").path(0).path("text").asText());
        assertEquals(4096, sent.path("max_tokens").asInt(), "a default max_tokens when the client gives none");
        assertEquals("END", sent.path("stop_sequences").path(0).asText());
        assertEquals(0.2, sent.path("temperature").asDouble(), 1e-9);
    }

    @Test
    void streamIsTranslatedEventByEventWithUsage() {
        upstream.handle((ctx, r) -> upstream.namedEvents(ctx, textEvents(), 0));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        assertEquals("Hello, wörld!", text);
        assertTrue(chunks.stream().flatMap(c -> c.choices().stream()).anyMatch(ch -> ch.finishReason()
                .map(f -> f.equals(ChatCompletionChunk.Choice.FinishReason.STOP)).orElse(false)));
        var usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertEquals(30, usage.promptTokens());
        assertEquals(15, usage.completionTokens());
        assertTrue(upstream.received.get(0).json().path("stream").asBoolean());
    }

    @Test
    void unaryToolCallsRoundTrip() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, """
                {"id":"msg_3","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"Checking."},
                            {"type":"tool_use","id":"toolu_9","name":"get_weather","input":{"location":"Paris"}}],
                 "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":50,"output_tokens":20}}"""));
        ChatCompletion c = client.chat().completions().create(chat().addTool(TestGateway.weatherTool())
                .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.REQUIRED).build());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().get(0).finishReason());
        ChatCompletionMessageFunctionToolCall call = c.choices().get(0).message().toolCalls().orElseThrow().get(0)
                .asFunction();
        assertEquals("toolu_9", call.id());
        assertEquals("get_weather", call.function().name());
        assertEquals("{\"location\":\"Paris\"}", call.function().arguments());
        JsonNode sent = upstream.received.get(0).json();
        assertEquals("get_weather", sent.path("tools").path(0).path("name").asText());
        assertEquals("object", sent.path("tools").path(0).path("input_schema").path("type").asText());
        assertEquals("any", sent.path("tool_choice").path("type").asText());

        // The answer to the tool goes back as a tool_result block of a user turn.
        upstream.received.clear();
        upstream.handle((ctx, r) -> MockOpenAi.json(200, TEXT_MESSAGE));
        client.chat().completions().create(chat().addTool(TestGateway.weatherTool())
                .addMessage(ChatCompletionAssistantMessageParam.builder().addToolCall(ChatCompletionMessageToolCall
                        .ofFunction(call)).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("toolu_9").content("18°C, sunny")
                        .build())
                .build());
        JsonNode messages = upstream.received.get(0).json().path("messages");
        JsonNode use = messages.path(1).path("content").path(0);
        assertEquals("assistant", messages.path(1).path("role").asText());
        assertEquals("tool_use", use.path("type").asText());
        assertEquals("Paris", use.path("input").path("location").asText());
        JsonNode result = messages.path(2).path("content").path(0);
        assertEquals("user", messages.path(2).path("role").asText());
        assertEquals("tool_result", result.path("type").asText());
        assertEquals("toolu_9", result.path("tool_use_id").asText());
        assertEquals("18°C, sunny", result.path("content").asText());
    }

    @Test
    void streamedToolCallArgumentsArriveWhole() {
        upstream.handle((ctx, r) -> upstream.namedEvents(ctx, toolEvents(), 0));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat()
                .addTool(TestGateway.weatherTool()).build())) {
            s.stream().forEach(chunks::add);
        }
        StringBuilder args = new StringBuilder();
        String id = null;
        String name = null;
        for (ChatCompletionChunk c : chunks) {
            for (var ch : c.choices()) {
                for (var tc : ch.delta().toolCalls().orElse(List.of())) {
                    assertEquals(0, tc.index());
                    id = tc.id().orElse(id);
                    name = tc.function().flatMap(f -> f.name()).orElse(name);
                    args.append(tc.function().flatMap(f -> f.arguments()).orElse(""));
                }
            }
        }
        assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", id);
        assertEquals("get_weather", name);
        assertEquals("{\"location\": \"San Francisco, CA\"}", args.toString());
        assertTrue(chunks.stream().flatMap(c -> c.choices().stream()).anyMatch(ch -> ch.finishReason()
                .map(f -> f.equals(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS)).orElse(false)));
    }

    @Test
    void imagesGoUpAsImageBlocks() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, TEXT_MESSAGE));
        client.chat().completions().create(ChatCompletionCreateParams.builder().model("claude")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?")
                                .build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                                ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64,iVBORw0KGgo=")
                                        .build()).build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                                ChatCompletionContentPartImage.ImageUrl.builder().url("https://example.com/cat.jpg")
                                        .build()).build())))
                .build());
        JsonNode content = upstream.received.get(0).json().path("messages").path(0).path("content");
        assertEquals("What is this?", content.path(0).path("text").asText());
        assertEquals("base64", content.path(1).path("source").path("type").asText());
        assertEquals("image/png", content.path(1).path("source").path("media_type").asText());
        assertEquals("iVBORw0KGgo=", content.path(1).path("source").path("data").asText());
        assertEquals("url", content.path(2).path("source").path("type").asText());
        assertEquals("https://example.com/cat.jpg", content.path(2).path("source").path("url").asText());
    }

    @Test
    void filePartsGoUpAsDocumentBlocks() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, TEXT_MESSAGE));
        client.chat().completions().create(ChatCompletionCreateParams.builder().model("claude")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofFile(ChatCompletionContentPart.File.builder().file(
                                ChatCompletionContentPart.File.FileObject.builder().filename("q3.pdf")
                                        .fileData("data:application/pdf;base64,JVBERi0xLjQ=").build()).build()),
                        ChatCompletionContentPart.ofFile(ChatCompletionContentPart.File.builder().file(
                                ChatCompletionContentPart.File.FileObject.builder().filename("notes.txt")
                                        .fileData("data:text/plain;base64,aGVsbG8gd29ybGQ=").build()).build())))
                .build());
        JsonNode content = upstream.received.get(0).json().path("messages").path(0).path("content");
        assertEquals("document", content.path(0).path("type").asText());
        assertEquals("base64", content.path(0).path("source").path("type").asText());
        assertEquals("application/pdf", content.path(0).path("source").path("media_type").asText());
        assertEquals("JVBERi0xLjQ=", content.path(0).path("source").path("data").asText());
        assertEquals("q3.pdf", content.path(0).path("title").asText());
        assertEquals("text", content.path(1).path("source").path("type").asText());
        assertEquals("hello world", content.path(1).path("source").path("data").asText());
    }

    @Test
    void upstreamErrorsMapToOpenAiErrors() {
        upstream.handle((ctx, r) -> MockOpenAi.json(401, "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"authentication_error\",\"message\":\"invalid x-api-key sk-ant-secret-123\"}}"));
        UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> client.chat().completions()
                .create(chat().build()));
        assertFalse(e.getMessage().contains("sk-ant-secret-123"), "the key is scrubbed");

        upstream.handle((ctx, r) -> com.linecorp.armeria.common.HttpResponse.of(
                com.linecorp.armeria.common.ResponseHeaders.of(com.linecorp.armeria.common.HttpStatus.TOO_MANY_REQUESTS,
                        "content-type", "application/json", "retry-after", "7"),
                com.linecorp.armeria.common.HttpData.ofUtf8("{\"type\":\"error\",\"error\":{\"type\":"
                        + "\"rate_limit_error\",\"message\":\"slow down\"}}")));
        RateLimitException rl = assertThrows(RateLimitException.class, () -> client.chat().completions()
                .create(chat().build()));
        assertEquals("7", rl.headers().values("retry-after").get(0));

        upstream.handle((ctx, r) -> MockOpenAi.json(529, "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        var overloaded = assertThrows(com.openai.errors.OpenAIServiceException.class, () -> client.chat()
                .completions().create(chat().build()));
        assertEquals(502, overloaded.statusCode());
    }

    @Test
    void anErrorEventMidStreamEndsTheStreamWithAnError() throws Exception {
        List<String[]> events = new ArrayList<>(textEvents().subList(0, 4));
        events.add(new String[] {"error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}"});
        upstream.handle((ctx, r) -> upstream.namedEvents(ctx, events, 0));
        var resp = gw.post("/v1/chat/completions", "{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, resp.statusCode());
        assertTrue(resp.body().contains("\"content\":\"Hello\""), resp.body());
        assertTrue(resp.body().contains("Overloaded"), resp.body());
        assertTrue(resp.body().endsWith("data: [DONE]\n\n"), resp.body());
    }
}
