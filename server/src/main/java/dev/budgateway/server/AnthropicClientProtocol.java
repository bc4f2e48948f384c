package dev.budgateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.providers.anthropic.TokenEstimate;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Anthropic's Messages API, for clients that came in on {@code /v1/messages}: the chain's OpenAI chunks
 * become {@code message_start}, {@code content_block_start/delta/stop} (text, thinking with its
 * signature, redacted thinking, and
 * {@code tool_use} with {@code input_json_delta} arguments), {@code message_delta} with the stop reason
 * and usage, and {@code message_stop}; errors take Anthropic's {@code {"type":"error","error":{...}}} shape.
 */
final class AnthropicClientProtocol implements ClientProtocol {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String requestedModel;
    /** The client's request, for the input estimate {@code message_start} must carry; may be {@code null}. */
    private final JsonNode request;
    private boolean started;
    private int nextBlock;
    /** The open content block: its index and kind ("text", "thinking", "tool_use"), or -1. */
    private int openBlock = -1;
    private String openKind;
    /** OpenAI tool call index → Anthropic content block index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private String stopReason = "end_turn";
    private JsonNode usage;

    AnthropicClientProtocol(String requestedModel, JsonNode request) {
        this.requestedModel = requestedModel;
        this.request = request;
    }

    @Override
    public byte[] unary(byte[] body) {
        JsonNode chat;
        try {
            chat = Json.parse(body);
        } catch (IOException e) {
            return body;
        }
        ObjectNode out = NODES.objectNode();
        out.put("id", messageId(chat));
        out.put("type", "message");
        out.put("role", "assistant");
        out.put("model", requestedModel);
        ArrayNode content = out.putArray("content");
        JsonNode message = chat.path("choices").path(0).path("message");
        if (message.path("reasoning_redacted").isTextual()) {
            content.addObject().put("type", "redacted_thinking").put("data", message.get("reasoning_redacted")
                    .asText());
        }
        if (message.path("reasoning_content").isTextual()) {
            content.addObject().put("type", "thinking").put("thinking", message.get("reasoning_content").asText())
                    .put("signature", message.path("reasoning_signature").asText(""));
        }
        if (message.path("content").isTextual() && !message.get("content").asText().isEmpty()) {
            content.addObject().put("type", "text").put("text", message.get("content").asText());
        }
        for (JsonNode call : message.path("tool_calls")) {
            ObjectNode use = content.addObject();
            use.put("type", "tool_use");
            use.put("id", call.path("id").asText());
            use.put("name", call.path("function").path("name").asText());
            use.set("input", parseArguments(call.path("function").path("arguments").asText("{}")));
        }
        out.put("stop_reason", stopReason(chat.path("choices").path(0).path("finish_reason").asText(null)));
        out.putNull("stop_sequence");
        out.set("usage", usage(chat.path("usage")));
        return Json.bytes(out);
    }

    @Override
    public void event(Chunk chunk, Consumer<HttpData> out) {
        JsonNode json = chunk.json();
        if (!started) {
            started = true;
            ObjectNode message = NODES.objectNode();
            message.put("id", messageId(json));
            message.put("type", "message");
            message.put("role", "assistant");
            message.put("model", requestedModel);
            message.putArray("content");
            message.putNull("stop_reason");
            message.putNull("stop_sequence");
            // The real count comes with message_delta at the end; clients that read only message_start
            // (Claude Code's context meter) get an estimate rather than nothing.
            message.putObject("usage").put("input_tokens", request == null ? 0 : TokenEstimate.inputTokens(request))
                    .put("output_tokens", 0);
            ObjectNode start = NODES.objectNode().put("type", "message_start");
            start.set("message", message);
            send("message_start", start, out);
        }
        if (json.hasNonNull("usage")) {
            usage = json.get("usage");
        }
        JsonNode choice = json.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        if (delta.path("reasoning_content").isTextual() && !delta.get("reasoning_content").asText().isEmpty()) {
            open("thinking", NODES.objectNode().put("type", "thinking").put("thinking", ""), out);
            send("content_block_delta", blockDelta(NODES.objectNode().put("type", "thinking_delta")
                    .put("thinking", delta.get("reasoning_content").asText())), out);
        }
        if (delta.path("reasoning_signature").isTextual() && "thinking".equals(openKind)) {
            send("content_block_delta", blockDelta(NODES.objectNode().put("type", "signature_delta")
                    .put("signature", delta.get("reasoning_signature").asText())), out);
        }
        if (delta.path("reasoning_redacted").isTextual()) {
            closeBlock(out);
            start("redacted_thinking", NODES.objectNode().put("type", "redacted_thinking").put("data",
                    delta.get("reasoning_redacted").asText()), out);
            closeBlock(out);
        }
        if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
            open("text", NODES.objectNode().put("type", "text").put("text", ""), out);
            send("content_block_delta", blockDelta(NODES.objectNode().put("type", "text_delta")
                    .put("text", delta.get("content").asText())), out);
        }
        for (JsonNode call : delta.path("tool_calls")) {
            int index = call.path("index").asInt(0);
            if (call.hasNonNull("id") || !toolBlocks.containsKey(index)) {
                // A new call: each is its own tool_use block.
                ObjectNode block = NODES.objectNode().put("type", "tool_use");
                block.put("id", call.path("id").asText("toolu_" + index));
                block.put("name", call.path("function").path("name").asText());
                block.putObject("input");
                closeBlock(out);
                start("tool_use", block, out);
                toolBlocks.put(index, openBlock);
            }
            String arguments = call.path("function").path("arguments").asText("");
            if (!arguments.isEmpty() && openBlock == toolBlocks.get(index)) {
                send("content_block_delta", blockDelta(NODES.objectNode().put("type", "input_json_delta")
                        .put("partial_json", arguments)), out);
            }
        }
        if (choice.hasNonNull("finish_reason")) {
            stopReason = stopReason(choice.get("finish_reason").asText());
        }
    }

    @Override
    public void end(Consumer<HttpData> out) {
        closeBlock(out);
        ObjectNode messageDelta = NODES.objectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        messageDelta.set("usage", usage(usage == null ? NODES.objectNode() : usage));
        send("message_delta", messageDelta, out);
        send("message_stop", NODES.objectNode().put("type", "message_stop"), out);
    }

    @Override
    public void error(GatewayError error, Consumer<HttpData> out) {
        send("error", errorBody(error), out);
    }

    @Override
    public AggregatedHttpResponse errorResponse(GatewayError error, String requestId) {
        ResponseHeadersBuilder headers = ResponseHeaders.builder(HttpStatus.valueOf(error.status()))
                .contentType(MediaType.JSON_UTF_8);
        // Filters may put text from outside in a header (a block reason an operator wrote): made safe first.
        error.headers().forEach((name, value) -> headers.add(name, HeaderValues.safe(value)));
        if (requestId != null) {
            headers.set("request-id", requestId);
            headers.set("x-request-id", requestId);
        }
        return AggregatedHttpResponse.of(headers.build(), HttpData.wrap(Json.bytes(errorBody(error))));
    }

    /** Anthropic's error types by status; its SDKs pick the exception class from the status. */
    static ObjectNode errorBody(GatewayError error) {
        String type = "overloaded".equals(error.code()) ? "overloaded_error" : switch (error.status()) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
        ObjectNode body = NODES.objectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", error.message());
        return body;
    }

    /** Makes sure a block of this kind is open, continuing the open one if it is of the same kind. */
    private void open(String kind, ObjectNode block, Consumer<HttpData> out) {
        if (kind.equals(openKind)) {
            return;
        }
        closeBlock(out);
        start(kind, block, out);
    }

    private void start(String kind, ObjectNode block, Consumer<HttpData> out) {
        openBlock = nextBlock++;
        openKind = kind;
        ObjectNode start = NODES.objectNode().put("type", "content_block_start").put("index", openBlock);
        start.set("content_block", block);
        send("content_block_start", start, out);
    }

    private void closeBlock(Consumer<HttpData> out) {
        if (openBlock >= 0) {
            send("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", openBlock),
                    out);
            openBlock = -1;
            openKind = null;
        }
    }

    private ObjectNode blockDelta(ObjectNode delta) {
        ObjectNode event = NODES.objectNode().put("type", "content_block_delta").put("index", openBlock);
        event.set("delta", delta);
        return event;
    }

    private static void send(String name, ObjectNode data, Consumer<HttpData> out) {
        out.accept(SseFrames.event(name, Json.bytes(data)));
    }

    private static String messageId(JsonNode chat) {
        String id = chat.path("id").asText("");
        return id.startsWith("msg_") ? id : "msg_" + id.replace("chatcmpl-", "");
    }

    private static JsonNode parseArguments(String arguments) {
        try {
            JsonNode parsed = Json.parse(arguments.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return parsed.isObject() ? parsed : NODES.objectNode();
        } catch (IOException e) {
            return NODES.objectNode();
        }
    }

    /** OpenAI's {@code finish_reason} as Anthropic's {@code stop_reason}. */
    static String stopReason(String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /** OpenAI usage as Anthropic's: cached prompt tokens are counted apart from {@code input_tokens}. */
    private static ObjectNode usage(JsonNode usage) {
        long prompt = usage.path("prompt_tokens").asLong(0);
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
        ObjectNode u = NODES.objectNode();
        u.put("input_tokens", Math.max(0, prompt - cached - cacheWrite));
        u.put("output_tokens", usage.path("completion_tokens").asLong(0));
        u.put("cache_read_input_tokens", cached);
        u.put("cache_creation_input_tokens", cacheWrite);
        return u;
    }
}
