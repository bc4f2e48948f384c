package dev.budgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local upstream that speaks both Anthropic's Messages API ({@code /v1/messages}, streamed or not, and
 * {@code /v1/messages/count_tokens}) and OpenAI's chat API ({@code /v1/chat/completions}), answering every
 * request with {@code ANSWER}. Each request body is written to {@code DIR} as
 * {@code <n>-<messages|count_tokens|chat>.json}, so a script can check what the gateway sent. For running
 * real clients (Claude Code) through the gateway without a provider account.
 *
 * <pre>AnthropicUpstream PORT DIR ANSWER</pre>
 */
public final class AnthropicUpstream {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String answer;
    private final AtomicInteger seen = new AtomicInteger();

    private AnthropicUpstream(Path dir, String answer) {
        this.dir = dir;
        this.answer = answer;
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        AnthropicUpstream upstream = new AnthropicUpstream(Files.createDirectories(Path.of(args[1])), args[2]);
        Server server = Server.builder()
                .http(port)
                .service("/v1/messages", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(upstream::messages)))
                .service("/v1/messages/count_tokens", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(
                        upstream::countTokens)))
                .service("/v1/chat/completions", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(
                        upstream::chat)))
                .build();
        server.start().join();
        System.out.println("Anthropic and OpenAI upstream on " + port);
    }

    private JsonNode record(AggregatedHttpRequest req, String kind) {
        byte[] body = req.content().array();
        try {
            Files.write(dir.resolve(seen.incrementAndGet() + "-" + kind + ".json"), body);
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse countTokens(AggregatedHttpRequest req) {
        record(req, "count_tokens");
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"input_tokens\":42}");
    }

    private HttpResponse messages(AggregatedHttpRequest req) {
        JsonNode request = record(req, "messages");
        String model = request.path("model").asText();
        if (!request.path("stream").asBoolean(false)) {
            ObjectNode message = JSON.createObjectNode().put("id", "msg_local").put("type", "message")
                    .put("role", "assistant").put("model", model);
            message.putArray("content").addObject().put("type", "text").put("text", answer);
            message.put("stop_reason", "end_turn").putNull("stop_sequence");
            message.putObject("usage").put("input_tokens", 20).put("output_tokens", 5);
            return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, message.toString());
        }
        StringBuilder sse = new StringBuilder();
        event(sse, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_local\","
                + "\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":" + quote(model) + ",\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}");
        event(sse, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"text\",\"text\":\"\"}}");
        for (String piece : answer.split("(?<= )")) {
            event(sse, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":" + quote(piece) + "}}");
        }
        event(sse, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        event(sse, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}");
        event(sse, "message_stop", "{\"type\":\"message_stop\"}");
        return HttpResponse.of(HttpStatus.OK, MediaType.EVENT_STREAM, sse.toString());
    }

    private HttpResponse chat(AggregatedHttpRequest req) {
        JsonNode request = record(req, "chat");
        String model = quote(request.path("model").asText());
        if (!request.path("stream").asBoolean(false)) {
            return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"id\":\"chatcmpl-local\",\"object\":"
                    + "\"chat.completion\",\"created\":1,\"model\":" + model + ",\"choices\":[{\"index\":0,\"message\":"
                    + "{\"role\":\"assistant\",\"content\":" + quote(answer) + "},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,\"total_tokens\":25}}");
        }
        String head = "{\"id\":\"chatcmpl-local\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":" + model;
        StringBuilder sse = new StringBuilder();
        for (String piece : answer.split("(?<= )")) {
            sse.append("data: ").append(head).append(",\"choices\":[{\"index\":0,\"delta\":{\"content\":")
                    .append(quote(piece)).append("},\"finish_reason\":null}]}\n\n");
        }
        sse.append("data: ").append(head)
                .append(",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}")
                .append("\n\n");
        sse.append("data: ").append(head).append(",\"choices\":[],\"usage\":{\"prompt_tokens\":20,")
                .append("\"completion_tokens\":5,\"total_tokens\":25}}\n\ndata: [DONE]\n\n");
        return HttpResponse.of(HttpStatus.OK, MediaType.EVENT_STREAM, sse.toString());
    }

    private static void event(StringBuilder sse, String name, String data) {
        sse.append("event: ").append(name).append("\ndata: ").append(data).append("\n\n");
    }

    private static String quote(String s) {
        return JSON.getNodeFactory().textNode(s).toString();
    }
}
