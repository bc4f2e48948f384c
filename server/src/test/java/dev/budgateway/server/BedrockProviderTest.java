package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.budgateway.providers.bedrock.SigV4Signer;
import java.io.ByteArrayOutputStream;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code aws_bedrock} provider behind the OpenAI SDK, against a server that checks each request's SigV4
 * signature and answers in Converse JSON or ConverseStream's binary event-stream framing.
 */
class BedrockProviderTest {

    static final String MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0";
    static MockOpenAi upstream;
    static TestGateway gw;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        gw = TestGateway.start("[models.br]\nrouting = [\"b\"]\n[models.br.providers.b]\ntype = \"aws_bedrock\"\n"
                + "model_id = \"" + MODEL_ID + "\"\nregion = \"eu-west-1\"\napi_base = \""
                + upstream.apiBase().replace("/v1", "") + "\"\n", Map.of("AWS_ACCESS_KEY_ID", "AKIDTEST",
                        "AWS_SECRET_ACCESS_KEY", "secret/KEY+value", "AWS_SESSION_TOKEN", "session-token-1"));
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

    private static final Pattern AUTH = Pattern.compile("AWS4-HMAC-SHA256 Credential=AKIDTEST/(\\d{8})/eu-west-1/"
            + "bedrock/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

    /** Recomputes the signature over what arrived, as AWS would, and fails the request if it differs. */
    static void assertSigned(MockOpenAi.Received r) {
        String auth = r.header("authorization");
        Matcher m = AUTH.matcher(auth == null ? "" : auth);
        assertTrue(m.matches(), "authorization: " + auth);
        String amzDate = r.header("x-amz-date");
        assertTrue(amzDate.startsWith(m.group(1)), amzDate);
        assertEquals("content-type;host;x-amz-date;x-amz-security-token", m.group(2));
        assertEquals("session-token-1", r.header("x-amz-security-token"));
        Map<String, String> signed = new LinkedHashMap<>();
        for (String name : m.group(2).split(";")) {
            signed.put(name, name.equals("host") ? r.headers().authority() : r.header(name));
        }
        String expected = new SigV4Signer("eu-west-1", "bedrock").authorization("POST",
                SigV4Signer.canonicalUri(r.path()), "", signed, SigV4Signer.sha256Hex(r.body()),
                new SigV4Signer.Credentials("AKIDTEST", "secret/KEY+value", "session-token-1"),
                ZonedDateTime.parse(amzDate.substring(0, 4) + "-" + amzDate.substring(4, 6) + "-"
                        + amzDate.substring(6, 11) + ":" + amzDate.substring(11, 13) + ":" + amzDate.substring(13, 15)
                        + "Z"));
        assertEquals(expected, auth);
    }

    static HttpResponse eventStream(MockOpenAi up, com.linecorp.armeria.server.ServiceRequestContext ctx,
            List<byte[]> frames, int pieceBytes) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        frames.forEach(all::writeBytes);
        byte[] bytes = all.toByteArray();
        HttpResponseWriter w = HttpResponse.streaming();
        w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "application/vnd.amazon.eventstream"));
        for (int i = 0; i < bytes.length; i += pieceBytes) {
            w.write(HttpData.wrap(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + pieceBytes))));
        }
        w.close();
        return w;
    }

    static List<byte[]> textFrames() {
        return List.of(
                EventStreamFrames.event("messageStart", "{\"role\":\"assistant\",\"p\":\"abcd\"}"),
                EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hello\"},"
                        + "\"p\":\"abcdefgh\"}"),
                EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" from "
                        + "Bedrock ✓\"},\"p\":\"ab\"}"),
                EventStreamFrames.event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"abc\"}"),
                EventStreamFrames.event("messageStop", "{\"stopReason\":\"end_turn\",\"p\":\"a\"}"),
                EventStreamFrames.event("metadata", "{\"usage\":{\"inputTokens\":11,\"outputTokens\":6,"
                        + "\"totalTokens\":17},\"metrics\":{\"latencyMs\":321},\"p\":\"abcd\"}"));
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model("br").addSystemMessage("Be brief.").addUserMessage("Hi");
    }

    @Test
    void unaryConverseIsSignedAndTranslated() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, """
                {"output":{"message":{"role":"assistant","content":[{"text":"Hello from Bedrock"}]}},
                 "stopReason":"max_tokens","usage":{"inputTokens":10,"outputTokens":5,"totalTokens":15},
                 "metrics":{"latencyMs":100}}"""));
        ChatCompletion c = client.chat().completions().create(chat().maxCompletionTokens(5).temperature(0.5).build());
        assertEquals("Hello from Bedrock", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().get(0).finishReason());
        assertEquals(15, c.usage().orElseThrow().totalTokens());
        MockOpenAi.Received r = upstream.received.get(0);
        assertEquals("/model/anthropic.claude-3-haiku-20240307-v1:0/converse", r.path());
        assertSigned(r);
        JsonNode sent = r.json();
        assertEquals("Be brief.", sent.path("system").path(0).path("text").asText());
        assertEquals("Hi", sent.path("messages").path(0).path("content").path(0).path("text").asText());
        assertEquals(5, sent.path("inferenceConfig").path("maxTokens").asInt());
        assertEquals(0.5, sent.path("inferenceConfig").path("temperature").asDouble(), 1e-9);
    }

    @Test
    void eventStreamIsDecodedAcrossSplitFrames() {
        upstream.handle((ctx, r) -> eventStream(upstream, ctx, textFrames(), 7));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        assertEquals("Hello from Bedrock ✓", chunks.stream().flatMap(c -> c.choices().stream())
                .map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining()));
        assertEquals(17, chunks.get(chunks.size() - 1).usage().orElseThrow().totalTokens());
        MockOpenAi.Received r = upstream.received.get(0);
        assertEquals("/model/anthropic.claude-3-haiku-20240307-v1:0/converse-stream", r.path());
        assertSigned(r);
    }

    @Test
    void streamedToolUseArgumentsArriveWhole() {
        upstream.handle((ctx, r) -> eventStream(upstream, ctx, List.of(
                EventStreamFrames.event("messageStart", "{\"role\":\"assistant\"}"),
                EventStreamFrames.event("contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":"
                        + "{\"toolUseId\":\"tooluse_abc\",\"name\":\"get_weather\"}}}"),
                EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":"
                        + "{\"input\":\"{\\\"location\\\":\"}}}"),
                EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":"
                        + "{\"input\":\"\\\"Lima\\\"}\"}}}"),
                EventStreamFrames.event("contentBlockStop", "{\"contentBlockIndex\":0}"),
                EventStreamFrames.event("messageStop", "{\"stopReason\":\"tool_use\"}"),
                EventStreamFrames.event("metadata", "{\"usage\":{\"inputTokens\":30,\"outputTokens\":9,"
                        + "\"totalTokens\":39}}")), 1000));
        StringBuilder args = new StringBuilder();
        List<String> ids = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat().addTool(TestGateway.weatherTool())
                .build())) {
            s.stream().flatMap(c -> c.choices().stream()).flatMap(ch -> ch.delta().toolCalls().orElse(List.of())
                    .stream()).forEach(tc -> {
                        tc.id().ifPresent(ids::add);
                        args.append(tc.function().flatMap(f -> f.arguments()).orElse(""));
                    });
        }
        assertEquals(List.of("tooluse_abc"), ids);
        assertEquals("{\"location\":\"Lima\"}", args.toString());
        JsonNode spec = upstream.received.get(0).json().path("toolConfig").path("tools").path(0).path("toolSpec");
        assertEquals("get_weather", spec.path("name").asText());
        assertEquals("object", spec.path("inputSchema").path("json").path("type").asText());
    }

    @Test
    void imagesGoUpAsBytes() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, "{\"output\":{\"message\":{\"role\":\"assistant\","
                + "\"content\":[{\"text\":\"A cat\"}]}},\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1,"
                + "\"outputTokens\":2,\"totalTokens\":3}}"));
        client.chat().completions().create(ChatCompletionCreateParams.builder().model("br")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What?").build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                                ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64,iVBORw0KGgo=")
                                        .build()).build())))
                .build());
        JsonNode image = upstream.received.get(0).json().path("messages").path(0).path("content").path(1).path("image");
        assertEquals("png", image.path("format").asText());
        assertEquals("iVBORw0KGgo=", image.path("source").path("bytes").asText());
    }

    @Test
    void errorsMapToOpenAiErrors() throws Exception {
        upstream.handle((ctx, r) -> MockOpenAi.json(400, "{\"message\":\"The provided model identifier is "
                + "invalid.\"}"));
        BadRequestException bad = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(chat().build()));
        assertTrue(bad.getMessage().contains("model identifier is invalid"), bad.getMessage());

        upstream.handle((ctx, r) -> MockOpenAi.json(429, "{\"message\":\"Too many requests, please wait.\"}"));
        assertThrows(RateLimitException.class, () -> client.chat().completions().create(chat().build()));

        // An exception frame mid-stream, after content: the stream ends with an error event.
        upstream.handle((ctx, r) -> eventStream(upstream, ctx, List.of(textFrames().get(0), textFrames().get(1),
                EventStreamFrames.exception("modelStreamErrorException", "{\"message\":\"Model failed\"}")), 1000));
        var resp = gw.post("/v1/chat/completions", "{\"model\":\"br\",\"stream\":true,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}");
        assertTrue(resp.body().contains("\"content\":\"Hello\""), resp.body());
        assertTrue(resp.body().contains("Model failed"), resp.body());

        // A corrupt frame (bad checksum) after content is an error too, never a silent end.
        byte[] corrupt = textFrames().get(2).clone();
        corrupt[corrupt.length - 1] ^= 1;
        upstream.handle((ctx, r) -> eventStream(upstream, ctx, List.of(textFrames().get(0), textFrames().get(1),
                corrupt), 1000));
        var cut = gw.post("/v1/chat/completions", "{\"model\":\"br\",\"stream\":true,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}");
        assertTrue(cut.body().contains("\"error\""), cut.body());
        assertTrue(cut.body().endsWith("data: [DONE]\n\n"), cut.body());
    }
}
