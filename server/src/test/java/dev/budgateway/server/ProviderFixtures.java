package dev.budgateway.server;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One upstream of each wire protocol, answering the same two scripts in its own format: a text answer
 * ({@link #TEXT_PIECES}) and a call of {@code get_weather} with {@link #TOOL_ARGUMENT_PIECES}, streamed
 * when the request asks for a stream. Conformance tests run every client protocol against every fixture.
 */
enum ProviderFixtures {
    OPENAI, ANTHROPIC, GEMINI, BEDROCK;

    static final List<String> TEXT_PIECES = List.of("The answer", " is 42", ", ünïcode ✓.");
    static final String TEXT = String.join("", TEXT_PIECES);
    static final List<String> TOOL_ARGUMENT_PIECES = List.of("{\"location\":", "\"Paris\",\"unit\":\"c\"}");
    static final String TOOL_ARGUMENTS = String.join("", TOOL_ARGUMENT_PIECES);
    static final String TOOL_ID = "call_w1";

    /** Secrets the gateway needs for the fixtures, as its environment. */
    static final Map<String, String> ENV = Map.of("AWS_ACCESS_KEY_ID", "AKIDFIX", "AWS_SECRET_ACCESS_KEY", "fix",
            "GOOGLE_AI_STUDIO_API_KEY", "gk", "ANTHROPIC_API_KEY", "ak");

    String model() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The {@code [models.X]} table of this fixture's model, served by {@code upstream}. */
    String config(MockOpenAi upstream) {
        String base = upstream.apiBase();
        String provider = switch (this) {
            case OPENAI -> "type = \"openai\"\napi_base = \"" + base + "\"\nmodel_name = \"gpt-x\"\n"
                    + "api_key_location = \"none\"\n";
            case ANTHROPIC -> "type = \"anthropic\"\napi_base = \"" + base + "\"\nmodel_name = \"claude-x\"\n";
            case GEMINI -> "type = \"gemini\"\napi_base = \"" + base + "\"\nmodel_name = \"gemini-x\"\n";
            case BEDROCK -> "type = \"aws_bedrock\"\napi_base = \"" + base.replace("/v1", "") + "\"\n"
                    + "model_id = \"amazon.nova-x:0\"\nregion = \"us-east-1\"\n";
        };
        return "[models." + model() + "]\nrouting = [\"p\"]\n[models." + model() + ".providers.p]\n" + provider;
    }

    boolean wantsStream(MockOpenAi.Received r) {
        return switch (this) {
            case OPENAI, ANTHROPIC -> r.json().path("stream").asBoolean(false);
            case GEMINI -> r.path().contains(":streamGenerateContent");
            case BEDROCK -> r.path().endsWith("/converse-stream");
        };
    }

    /** Answers the text script, or the tool script when the request offers tools. */
    HttpResponse answer(MockOpenAi up, ServiceRequestContext ctx, MockOpenAi.Received r) {
        boolean tools = switch (this) {
            case OPENAI, ANTHROPIC, GEMINI -> r.json().has("tools");
            case BEDROCK -> r.json().has("toolConfig");
        };
        boolean stream = wantsStream(r);
        return switch (this) {
            case OPENAI -> openAi(up, ctx, tools, stream);
            case ANTHROPIC -> anthropic(up, ctx, tools, stream);
            case GEMINI -> gemini(up, ctx, tools, stream);
            case BEDROCK -> bedrock(ctx, tools, stream);
        };
    }

    private static String q(String s) {
        return MockOpenAi.quote(s);
    }

    private static HttpResponse openAi(MockOpenAi up, ServiceRequestContext ctx, boolean tools, boolean stream) {
        if (!stream) {
            String message = tools
                    ? "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"" + TOOL_ID + "\",\"type\":"
                            + "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":" + q(TOOL_ARGUMENTS)
                            + "}}]}"
                    : "{\"role\":\"assistant\",\"content\":" + q(TEXT) + "}";
            return MockOpenAi.json(200, "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion\",\"created\":1,\"model\":"
                    + "\"gpt-x\",\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\""
                    + (tools ? "tool_calls" : "stop") + "\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
                    + "\"total_tokens\":15}}");
        }
        List<String> events = new ArrayList<>();
        events.add(MockOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        if (tools) {
            events.add(MockOpenAi.chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"" + TOOL_ID + "\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null));
            for (String piece : TOOL_ARGUMENT_PIECES) {
                events.add(MockOpenAi.chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + q(piece)
                        + "}}]}", null));
            }
            events.add(MockOpenAi.chunk("{}", "tool_calls"));
        } else {
            for (String piece : TEXT_PIECES) {
                events.add(MockOpenAi.chunk("{\"content\":" + q(piece) + "}", null));
            }
            events.add(MockOpenAi.chunk("{}", "stop"));
        }
        events.add("{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-x\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}");
        events.add("[DONE]");
        return up.sse(ctx, events, 0, 0);
    }

    private static HttpResponse anthropic(MockOpenAi up, ServiceRequestContext ctx, boolean tools, boolean stream) {
        if (!stream) {
            String content = tools
                    ? "{\"type\":\"tool_use\",\"id\":\"" + TOOL_ID + "\",\"name\":\"get_weather\",\"input\":"
                            + TOOL_ARGUMENTS + "}"
                    : "{\"type\":\"text\",\"text\":" + q(TEXT) + "}";
            return MockOpenAi.json(200, "{\"id\":\"msg_f\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                    + "\"claude-x\",\"content\":[" + content + "],\"stop_reason\":\"" + (tools ? "tool_use" : "end_turn")
                    + "\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}");
        }
        List<String[]> events = new ArrayList<>();
        events.add(new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_f\",\"type\":"
                + "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-x\",\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}"});
        if (tools) {
            events.add(new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"tool_use\",\"id\":\"" + TOOL_ID + "\",\"name\":\"get_weather\","
                    + "\"input\":{}}}"});
            for (String piece : TOOL_ARGUMENT_PIECES) {
                events.add(new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + q(piece) + "}}"});
            }
        } else {
            events.add(new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"});
            for (String piece : TEXT_PIECES) {
                events.add(new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":" + q(piece) + "}}"});
            }
        }
        events.add(new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"});
        events.add(new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
                + (tools ? "tool_use" : "end_turn") + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}"});
        events.add(new String[] {"message_stop", "{\"type\":\"message_stop\"}"});
        return up.namedEvents(ctx, events, 0);
    }

    private static HttpResponse gemini(MockOpenAi up, ServiceRequestContext ctx, boolean tools, boolean stream) {
        String usage = "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":5,\"totalTokenCount\":15}";
        String call = "{\"functionCall\":{\"name\":\"get_weather\",\"args\":" + TOOL_ARGUMENTS + "}}";
        if (!stream) {
            String parts = tools ? call : "{\"text\":" + q(TEXT) + "}";
            return MockOpenAi.json(200, "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[" + parts
                    + "]},\"finishReason\":\"STOP\",\"index\":0}]," + usage + ",\"modelVersion\":\"gemini-x\"}");
        }
        List<String> events = new ArrayList<>();
        if (tools) {
            events.add("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[" + call + "]},\"finishReason\":"
                    + "\"STOP\",\"index\":0}]," + usage + "}");
        } else {
            for (int i = 0; i < TEXT_PIECES.size(); i++) {
                boolean last = i == TEXT_PIECES.size() - 1;
                events.add("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":"
                        + q(TEXT_PIECES.get(i)) + "}]}" + (last ? ",\"finishReason\":\"STOP\"" : "") + ",\"index\":0}]"
                        + (last ? "," + usage : "") + "}");
            }
        }
        List<byte[]> writes = new ArrayList<>();
        for (String e : events) {
            writes.add(("data: " + e + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return up.stream(ctx, writes, 0);
    }

    private static HttpResponse bedrock(ServiceRequestContext ctx, boolean tools, boolean stream) {
        String usage = "{\"inputTokens\":10,\"outputTokens\":5,\"totalTokens\":15}";
        if (!stream) {
            String content = tools ? "{\"toolUse\":{\"toolUseId\":\"" + TOOL_ID + "\",\"name\":\"get_weather\","
                    + "\"input\":" + TOOL_ARGUMENTS + "}}" : "{\"text\":" + q(TEXT) + "}";
            return MockOpenAi.json(200, "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[" + content
                    + "]}},\"stopReason\":\"" + (tools ? "tool_use" : "end_turn") + "\",\"usage\":" + usage + "}");
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(EventStreamFrames.event("messageStart", "{\"role\":\"assistant\"}"));
        if (tools) {
            frames.add(EventStreamFrames.event("contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":"
                    + "{\"toolUseId\":\"" + TOOL_ID + "\",\"name\":\"get_weather\"}}}"));
            for (String piece : TOOL_ARGUMENT_PIECES) {
                frames.add(EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":"
                        + "{\"toolUse\":{\"input\":" + q(piece) + "}}}"));
            }
        } else {
            for (String piece : TEXT_PIECES) {
                frames.add(EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":"
                        + q(piece) + "}}"));
            }
        }
        frames.add(EventStreamFrames.event("contentBlockStop", "{\"contentBlockIndex\":0}"));
        frames.add(EventStreamFrames.event("messageStop", "{\"stopReason\":\"" + (tools ? "tool_use" : "end_turn")
                + "\"}"));
        frames.add(EventStreamFrames.event("metadata", "{\"usage\":" + usage + ",\"metrics\":{\"latencyMs\":5}}"));
        HttpResponseWriter w = HttpResponse.streaming();
        w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "application/vnd.amazon.eventstream"));
        frames.forEach(f -> w.write(HttpData.wrap(f)));
        w.close();
        return w;
    }
}
