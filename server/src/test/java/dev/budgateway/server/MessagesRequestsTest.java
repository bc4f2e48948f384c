package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.anthropic.MessagesToChat;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/messages} takes every request the Messages API takes: Claude Code's first call (written from
 * its documented shape: beta fields, cached system blocks, deferred and server tools, and a system message
 * inside {@code messages}) and a conversation with every content block type, each sent to an Anthropic
 * route (the body goes upstream as the client sent it) and to OpenAI-compatible, Gemini and Bedrock routes
 * (translated), streamed and not.
 */
class MessagesRequestsTest {

    /** Claude Code's mid-conversation system context is 6–9 KB. */
    static final String MID_CONVERSATION_CONTEXT = "<system-reminder>Project instructions: run bin/test before "
            + "committing.</system-reminder>\n" + "Context line about the repository layout and conventions. "
                    .repeat(120);
    static final String BETA = "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27";

    static MockOpenAi claude;
    static MockOpenAi openai;
    static MockOpenAi gemini;
    static MockOpenAi bedrock;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        claude = new MockOpenAi();
        openai = new MockOpenAi();
        gemini = new MockOpenAi();
        bedrock = new MockOpenAi();
        gw = TestGateway.start(ProviderFixtures.ANTHROPIC.config(claude) + ProviderFixtures.OPENAI.config(openai)
                + ProviderFixtures.GEMINI.config(gemini) + ProviderFixtures.BEDROCK.config(bedrock),
                ProviderFixtures.ENV);
    }

    @AfterAll
    static void stop() {
        gw.close();
        for (MockOpenAi up : List.of(claude, openai, gemini, bedrock)) {
            up.close();
        }
    }

    @BeforeEach
    void reset() {
        claude.received.clear();
        openai.received.clear();
        gemini.received.clear();
        bedrock.received.clear();
        claude.handle((ctx, r) -> ProviderFixtures.ANTHROPIC.answer(claude, ctx, r));
        openai.handle((ctx, r) -> ProviderFixtures.OPENAI.answer(openai, ctx, r));
        gemini.handle((ctx, r) -> ProviderFixtures.GEMINI.answer(gemini, ctx, r));
        bedrock.handle((ctx, r) -> ProviderFixtures.BEDROCK.answer(bedrock, ctx, r));
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {true, false})
    void claudeCodesFirstCallGoesToAnthropicAsItWasSent(boolean stream) throws Exception {
        ObjectNode request = claudeCodeRequest("anthropic", stream);
        var res = send(request);
        assertEquals(200, res.statusCode(), res.body());
        assertAnswered(res.body(), stream, "tool_use");

        ObjectNode expected = request.deepCopy().put("model", "claude-x"); // a request without stream has none
        MockOpenAi.Received up = claude.received.get(0);
        assertEquals(expected, up.json(), "only the model name differs: every field, known or not, goes upstream");
        assertEquals(BETA, up.header("anthropic-beta"));
        assertEquals("ak", up.header("x-api-key"), "the provider's key, never the client's");
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {true, false})
    void claudeCodesFirstCallIsTranslatedForOpenAi(boolean stream) throws Exception {
        var res = send(claudeCodeRequest("openai", stream));
        assertEquals(200, res.statusCode(), res.body());
        assertAnswered(res.body(), stream, "tool_use");

        JsonNode sent = openai.received.get(0).json();
        JsonNode messages = sent.path("messages");
        assertEquals(3, messages.size(), messages.toString());
        assertEquals("system", messages.path(0).path("role").asText());
        assertEquals("You are a coding agent running in a terminal.\nYou are Claude Code, Anthropic's official CLI "
                + "for Claude.\nYou are an interactive agent that helps users with software engineering tasks. Use the "
                + "tools available to you.", messages.path(0).path("content").asText());
        assertEquals("user", messages.path(1).path("role").asText());
        assertEquals("What does the build script do?", messages.path(1).path("content").path(1).path("text").asText());
        assertEquals("system", messages.path(2).path("role").asText(), "the system message keeps its place");
        assertEquals(MID_CONVERSATION_CONTEXT, messages.path(2).path("content").asText());

        List<String> tools = new ArrayList<>();
        sent.path("tools").forEach(t -> tools.add(t.path("function").path("name").asText()));
        assertEquals(List.of("Bash", "Read", "NotebookEdit"), tools, "custom tools carried, the server tool not");
        assertEquals("command", sent.path("tools").path(0).path("function").path("parameters").path("required")
                .path(0).asText());
        assertEquals(32000, sent.path("max_tokens").asInt());
        assertEquals(stream, sent.path("stream").asBoolean(false));
        assertEquals(stream, sent.path("stream_options").path("include_usage").asBoolean(false));
        for (String anthropicOnly : List.of("thinking", "context_management", "output_config", "metadata", "system",
                "user")) {
            assertFalse(sent.has(anthropicOnly), anthropicOnly + " has no OpenAI form: " + sent);
        }
    }

    @Test
    void whatTheChatFormCannotExpressIsNamedInOneDebugLine() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(MessagesToChat.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Level level = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            assertEquals(200, send(claudeCodeRequest("openai", true)).statusCode());
        } finally {
            logger.setLevel(level);
            logger.detachAppender(lines);
        }
        assertEquals(1, lines.list.size());
        String line = lines.list.get(0).getFormattedMessage();
        for (String named : List.of("cache_control", "tool 'web_search_20250305'", "tools[].defer_loading",
                "output_config.effort", "metadata.user_id (over 64 characters)", "thinking", "context_management")) {
            assertTrue(line.contains(named), named + " in: " + line);
        }
        assertFalse(line.contains(MID_CONVERSATION_CONTEXT.substring(0, 20)), "names, never content");
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {true, false})
    void systemMessagesAreMergedForGeminiAndBedrock(boolean stream) throws Exception {
        assertEquals(200, send(claudeCodeRequest("gemini", stream)).statusCode());
        JsonNode toGemini = gemini.received.get(0).json();
        JsonNode instruction = toGemini.path("systemInstruction").path("parts");
        assertEquals(2, instruction.size(), instruction.toString());
        assertEquals(MID_CONVERSATION_CONTEXT, instruction.path(1).path("text").asText());
        assertEquals(1, toGemini.path("contents").size(), "only the user turn stays in contents");

        assertEquals(200, send(claudeCodeRequest("bedrock", stream)).statusCode());
        JsonNode toBedrock = bedrock.received.get(0).json();
        assertEquals(MID_CONVERSATION_CONTEXT, toBedrock.path("system").path(1).path("text").asText());
        assertEquals(1, toBedrock.path("messages").size());
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {true, false})
    void everyContentBlockTypeIsAccepted(boolean stream) throws Exception {
        ObjectNode anthropic = everyBlock("anthropic", stream);
        var passed = send(anthropic);
        assertEquals(200, passed.statusCode(), passed.body());
        assertEquals(anthropic.deepCopy().put("model", "claude-x"), claude.received.get(0).json());

        var translated = send(everyBlock("openai", stream));
        assertEquals(200, translated.statusCode(), translated.body());
        JsonNode m = openai.received.get(0).json().path("messages");
        // user: text, image (base64 and URL), PDF, text document, content document, search result
        JsonNode first = m.path(0).path("content");
        assertEquals("user", m.path(0).path("role").asText());
        assertEquals("Compare these.", first.path(0).path("text").asText());
        assertEquals("data:image/png;base64,iVBORw0KGgo=", first.path(1).path("image_url").path("url").asText());
        assertEquals("https://example.com/cat.jpg", first.path(2).path("image_url").path("url").asText());
        assertEquals("file", first.path(3).path("type").asText());
        assertEquals("data:application/pdf;base64,JVBERi0xLjQ=", first.path(3).path("file").path("file_data").asText());
        assertEquals("report.pdf", first.path(3).path("file").path("filename").asText());
        assertEquals("Plain document text.", first.path(4).path("text").asText());
        assertEquals("Inner block text.", first.path(5).path("text").asText());
        assertEquals("Result title\nhttps://example.com/r\nSearch result text.", first.path(6).path("text").asText());
        assertEquals(7, first.size(), "container_upload and the file-id image have no OpenAI form: " + first);
        // assistant: thinking dropped, text joined, tool_use a tool call, server tool blocks dropped
        assertEquals("assistant", m.path(1).path("role").asText());
        assertEquals("Let me check.", m.path(1).path("content").asText());
        assertEquals("toolu_1", m.path(1).path("tool_calls").path(0).path("id").asText());
        assertEquals("{\"command\":\"ls\"}", m.path(1).path("tool_calls").path(0).path("function").path("arguments")
                .asText());
        assertEquals(1, m.path(1).path("tool_calls").size());
        // user: tool results as tool messages, their image in the user message that follows
        assertEquals("tool", m.path(2).path("role").asText());
        assertEquals("toolu_1", m.path(2).path("tool_call_id").asText());
        assertEquals("Error: file1\nfile2", m.path(2).path("content").asText());
        assertEquals("user", m.path(3).path("role").asText());
        assertEquals("image_url", m.path(3).path("content").path(0).path("type").asText());
        assertEquals("Go on.", m.path(3).path("content").path(1).path("text").asText());
        assertEquals(4, m.size(), m.toString());
        JsonNode format = openai.received.get(0).json().path("response_format");
        assertEquals("json_schema", format.path("type").asText());
        assertEquals("object", format.path("json_schema").path("schema").path("type").asText());
        assertEquals("short-user", openai.received.get(0).json().path("user").asText());
        assertEquals("END", openai.received.get(0).json().path("stop").path(0).asText());

        assertEquals(200, send(everyBlock("gemini", stream)).statusCode());
        JsonNode parts = gemini.received.get(0).json().path("contents").path(0).path("parts");
        assertEquals("application/pdf", parts.path(3).path("inlineData").path("mimeType").asText());
        var toBedrock = send(everyBlock("bedrock", stream));
        assertEquals(200, toBedrock.statusCode(), toBedrock.body());
        JsonNode blocks = bedrock.received.get(0).json().path("messages").path(0).path("content");
        assertEquals("pdf", blocks.path(2).path("document").path("format").asText(), blocks.toString());
        assertEquals("report", blocks.path(2).path("document").path("name").asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"model\":\"openai\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"openai\",\"max_tokens\":10,\"messages\":[]}",
            "{\"model\":\"openai\",\"max_tokens\":10,\"messages\":[{\"role\":\"tool\",\"content\":\"hi\"}]}",
            "{\"model\":\"openai\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":5}]}",
            "{\"model\":\"openai\",\"max_tokens\":10,", "[1]"})
    void whatTheRealApiRefusesIsRefusedInItsShape(String body) throws Exception {
        var res = gw.post("/v1/messages", body);
        assertEquals(400, res.statusCode(), res.body());
        JsonNode error = Json.parse(res.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("error", error.path("type").asText(), res.body());
        assertEquals("invalid_request_error", error.path("error").path("type").asText(), res.body());
        assertTrue(openai.received.isEmpty(), "nothing reaches the upstream");
    }

    private static java.net.http.HttpResponse<String> send(ObjectNode request) throws Exception {
        return gw.post("/v1/messages?beta=true", Json.string(request), "x-api-key", "client-key",
                "anthropic-version", "2023-06-01", "anthropic-beta", BETA);
    }

    /** The answer is the fixture's, in Anthropic's shape: a {@code tool_use} or text block, streamed or whole. */
    private static void assertAnswered(String body, boolean stream, String blockType) throws Exception {
        if (stream) {
            assertTrue(body.contains("event: message_start") && body.contains("event: message_stop"), body);
            assertTrue(body.contains("\"type\":\"" + blockType + "\""), body);
        } else {
            JsonNode message = Json.parse(body.getBytes(StandardCharsets.UTF_8));
            assertEquals(blockType, message.path("content").path(0).path("type").asText(), body);
        }
    }

    static ObjectNode claudeCodeRequest(String model, boolean stream) throws Exception {
        ObjectNode request;
        try (InputStream in = MessagesRequestsTest.class.getResourceAsStream("/messages/claude-code-first-call.json")) {
            request = (ObjectNode) Json.parse(in.readAllBytes());
        }
        ((ObjectNode) request.path("messages").path(1).path("content").path(0)).put("text", MID_CONVERSATION_CONTEXT);
        request.put("model", model);
        if (!stream) {
            request.remove("stream");
        }
        return request;
    }

    /** A conversation with every content block type the Messages API takes, in both roles. */
    private static ObjectNode everyBlock(String model, boolean stream) throws Exception {
        ObjectNode request = (ObjectNode) Json.parse(("""
                {"model":"%s","max_tokens":1024,"stream":%s,
                 "metadata":{"user_id":"short-user"},
                 "service_tier":"auto",
                 "stop_sequences":["END"],
                 "container":"container_123",
                 "mcp_servers":[{"type":"url","url":"https://mcp.example.com/sse","name":"docs"}],
                 "output_format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"string"}}}},
                 "messages":[
                  {"role":"user","content":[
                    {"type":"text","text":"Compare these.","cache_control":{"type":"ephemeral","ttl":"1h"}},
                    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                    {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},
                    {"type":"document","title":"report.pdf","context":"Q3","citations":{"enabled":true},
                     "source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQ="}},
                    {"type":"document","source":{"type":"text","media_type":"text/plain","data":"Plain document text."}},
                    {"type":"document","source":{"type":"content","content":[{"type":"text","text":"Inner block text."}]}},
                    {"type":"search_result","title":"Result title","source":"https://example.com/r",
                     "content":[{"type":"text","text":"Search result text."}],"citations":{"enabled":true}},
                    {"type":"container_upload","file_id":"file_abc"},
                    {"type":"image","source":{"type":"file","file_id":"file_img"}}]},
                  {"role":"assistant","content":[
                    {"type":"thinking","thinking":"Which tool?","signature":"sig-1"},
                    {"type":"redacted_thinking","data":"opaque"},
                    {"type":"text","text":"Let me ","citations":[{"type":"char_location","cited_text":"x",
                     "document_index":0,"document_title":"report.pdf","start_char_index":0,"end_char_index":1}]},
                    {"type":"text","text":"check."},
                    {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}},
                    {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result",
                     "url":"https://example.com","title":"Example","encrypted_content":"enc","page_age":"1 day"}]},
                    {"type":"web_fetch_tool_result","tool_use_id":"srvtoolu_2","content":{"type":"web_fetch_result",
                     "url":"https://example.com","content":{"type":"document","source":{"type":"text",
                     "media_type":"text/plain","data":"page"}}}},
                    {"type":"code_execution_tool_result","tool_use_id":"srvtoolu_3","content":{"type":
                     "code_execution_result","stdout":"1","stderr":"","return_code":0,"content":[]}},
                    {"type":"bash_code_execution_tool_result","tool_use_id":"srvtoolu_4","content":{"type":
                     "bash_code_execution_result","stdout":"","stderr":"","return_code":0,"content":[]}},
                    {"type":"text_editor_code_execution_tool_result","tool_use_id":"srvtoolu_5","content":{"type":
                     "text_editor_code_execution_view_result","file_type":"text","content":"x"}},
                    {"type":"tool_search_tool_result","tool_use_id":"srvtoolu_6","content":{"type":
                     "tool_search_tool_search_result","tool_references":[{"type":"tool_reference","tool_name":"Bash"}]}},
                    {"type":"mcp_tool_use","id":"mcptoolu_1","name":"search","server_name":"docs","input":{}},
                    {"type":"mcp_tool_result","tool_use_id":"mcptoolu_1","is_error":false,"content":"found"},
                    {"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},
                  {"role":"user","content":[
                    {"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":[
                      {"type":"text","text":"file1"},{"type":"text","text":"file2"},
                      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                      {"type":"tool_reference","tool_name":"Read"}]},
                    {"type":"text","text":"Go on."}]}],
                 "tools":[{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}},
                   {"type":"bash_20250124","name":"bash"},{"type":"text_editor_20250728","name":"str_replace_based_edit_tool"},
                   {"type":"mcp_toolset","mcp_server_name":"docs"}]}
                """).formatted(model, stream).getBytes(StandardCharsets.UTF_8));
        if (!stream) {
            request.remove("stream");
        }
        if (model.equals("bedrock")) {
            // Converse takes images as bytes only: a linked image is a 400 there (docs/providers.md).
            ((ArrayNode) request.path("messages").path(0).path("content")).remove(2);
        }
        return request;
    }
}
