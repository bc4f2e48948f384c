package dev.budgateway.providers.dummy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderCall;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider that answers by itself, deterministically, in OpenAI's wire format. Its behaviour is chosen
 * by the model name: {@code echo} repeats the last user message; {@code error...} fails with 500;
 * {@code flaky...} fails every second call; {@code slow} answers after 5 s and {@code slow_<ms>} after that
 * many ms; {@code slow_stream} waits 100 ms between chunks; {@code err_in_stream} fails after three
 * chunks; anything else answers with a fixed sentence.
 */
public final class DummyProvider implements Provider {

    public static final String DEFAULT_TEXT = "Hello from the budgateway dummy provider. "
            + "It answers without calling any model, for tests and demos.";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int EMBEDDING_DIMENSIONS = 16;

    private final String providerName;
    private final String modelName;
    private final AtomicLong calls = new AtomicLong();

    public DummyProvider(String providerName, String modelName) {
        this.providerName = providerName;
        this.modelName = modelName == null ? "dummy" : modelName;
    }

    @Override
    public CompletionStage<Response> send(ProviderCall call) {
        long n = calls.incrementAndGet();
        if (modelName.startsWith("error") || (modelName.startsWith("flaky") && n % 2 == 0)) {
            return CompletableFuture.failedFuture(new GatewayException(new GatewayError(502, "upstream_error",
                    "upstream_500", "Provider '" + providerName + "' returned HTTP 500: dummy failure")));
        }
        long delayMs = modelName.equals("slow") ? 5000 : modelName.startsWith("slow_") && !modelName.equals(
                "slow_stream") ? parseDelay(modelName.substring(5)) : 0;
        Response response = switch (call.endpoint()) {
            case EMBEDDING -> Response.unary(200, Chunk.unary(embeddings(call.body())));
            case CHAT, COMPLETIONS -> call.stream() ? stream(call) : Response.unary(200, Chunk.unary(unary(call)));
            default -> null;
        };
        if (response == null) {
            return CompletableFuture.failedFuture(new GatewayException(GatewayError.badRequest("unsupported_endpoint",
                    "The dummy provider does not serve " + call.endpoint().path())));
        }
        if (delayMs == 0) {
            return CompletableFuture.completedFuture(response);
        }
        CompletableFuture<Response> out = new CompletableFuture<>();
        call.eventLoop().schedule(() -> out.complete(response), delayMs, TimeUnit.MILLISECONDS);
        return out;
    }

    private static long parseDelay(String text) {
        try {
            return Math.max(0, Long.parseLong(text));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private String answer(ProviderCall call) {
        if (!modelName.equals("echo")) {
            return DEFAULT_TEXT;
        }
        if (call.endpoint() == ApiEndpoint.COMPLETIONS) {
            return textOf(call.body().path("prompt"));
        }
        JsonNode messages = call.body().path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).path("role").asText())) {
                return textOf(messages.get(i).path("content"));
            }
        }
        return "";
    }

    private static String textOf(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if (part.isTextual()) {
                sb.append(part.asText());
            } else if (part.path("text").isTextual()) {
                sb.append(part.path("text").asText());
            }
        }
        return sb.toString();
    }

    private static long inputTokens(ProviderCall call) {
        String text = call.endpoint() == ApiEndpoint.COMPLETIONS
                ? textOf(call.body().path("prompt"))
                : call.body().path("messages").findValuesAsText("content").toString();
        return Math.max(1, words(text).size());
    }

    /** Splits text into pieces that each keep their trailing whitespace, so joined they give the text back. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i)) && (i + 1 == text.length()
                    || !Character.isWhitespace(text.charAt(i + 1)))) {
                out.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    private ObjectNode base(String object, ProviderCall call) {
        ObjectNode o = NODES.objectNode();
        o.put("id", (call.endpoint() == ApiEndpoint.CHAT ? "chatcmpl-" : "cmpl-") + "dummy" + calls.get());
        o.put("object", object);
        o.put("created", 1_700_000_000L);
        o.put("model", modelName);
        return o;
    }

    private ObjectNode usage(long input, long output) {
        ObjectNode u = NODES.objectNode();
        u.put("prompt_tokens", input);
        u.put("completion_tokens", output);
        u.put("total_tokens", input + output);
        return u;
    }

    private ObjectNode unary(ProviderCall call) {
        String text = answer(call);
        boolean chat = call.endpoint() == ApiEndpoint.CHAT;
        ObjectNode o = base(chat ? "chat.completion" : "text_completion", call);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
        } else {
            choice.put("text", text);
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", "stop");
        o.set("usage", usage(inputTokens(call), Math.max(1, words(text).size())));
        return o;
    }

    private Response stream(ProviderCall call) {
        String text = answer(call);
        boolean chat = call.endpoint() == ApiEndpoint.CHAT;
        String object = chat ? "chat.completion.chunk" : "text_completion";
        List<Chunk> chunks = new ArrayList<>();
        if (chat) {
            chunks.add(Chunk.event(streamChunk(call, object, true, "", null)));
        }
        List<String> pieces = words(text);
        for (String piece : pieces) {
            chunks.add(Chunk.event(streamChunk(call, object, false, piece, null)));
        }
        chunks.add(Chunk.event(streamChunk(call, object, false, chat ? null : "", "stop")));
        ObjectNode usageChunk = base(object, call);
        usageChunk.putArray("choices");
        usageChunk.set("usage", usage(inputTokens(call), Math.max(1, pieces.size())));
        chunks.add(Chunk.event(usageChunk));
        boolean failMidway = modelName.equals("err_in_stream");
        long pauseMs = modelName.equals("slow_stream") ? 100 : 0;
        return new Response(new ResponseHead(200, true), new ScriptedStream(call, chunks, failMidway, pauseMs));
    }

    private ObjectNode streamChunk(ProviderCall call, String object, boolean role, String text, String finish) {
        ObjectNode o = base(object, call);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (call.endpoint() == ApiEndpoint.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (role) {
                delta.put("role", "assistant");
            }
            if (text != null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text == null ? "" : text);
            choice.putNull("logprobs");
        }
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return o;
    }

    private ObjectNode embeddings(ObjectNode body) {
        JsonNode input = body.path("input");
        List<String> inputs = new ArrayList<>();
        if (input.isArray()) {
            input.forEach(i -> inputs.add(i.isTextual() ? i.asText() : i.toString()));
        } else {
            inputs.add(input.asText());
        }
        boolean base64 = "base64".equals(body.path("encoding_format").asText());
        ObjectNode o = NODES.objectNode();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        long tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] vector = vectorOf(inputs.get(i));
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (base64) {
                ByteBuffer buf = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : vector) {
                    buf.putFloat(f);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float f : vector) {
                    values.add(f);
                }
            }
            tokens += Math.max(1, words(inputs.get(i)).size());
        }
        o.put("model", modelName);
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        return o;
    }

    /** A unit vector derived from the SHA-256 of the text: equal texts embed equally. */
    static float[] vectorOf(String text) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        float[] v = new float[EMBEDDING_DIMENSIONS];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (hash[i] & 0xff) / 255f - 0.5f;
            norm += v[i] * v[i];
        }
        float scale = norm == 0 ? 1 : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }

    /** Pushes prepared chunks, optionally pausing between them or failing half-way. */
    private final class ScriptedStream implements ChunkStream {
        private final ProviderCall call;
        private final List<Chunk> chunks;
        private final boolean failMidway;
        private final long pauseMs;
        private volatile boolean cancelled;
        private ChunkSubscriber subscriber;
        private boolean paused;
        /** Where to go on when resumed, or -1 when not stopped by a pause. */
        private int resumeAt = -1;

        ScriptedStream(ProviderCall call, List<Chunk> chunks, boolean failMidway, long pauseMs) {
            this.call = call;
            this.chunks = chunks;
            this.failMidway = failMidway;
            this.pauseMs = pauseMs;
        }

        @Override
        public void subscribe(ChunkSubscriber subscriber) {
            this.subscriber = subscriber;
            push(subscriber, 0);
        }

        private void push(ChunkSubscriber subscriber, int from) {
            for (int i = from; i <= chunks.size(); i++) {
                if (cancelled) {
                    return;
                }
                if (paused) {
                    resumeAt = i;
                    return;
                }
                if (i == chunks.size()) {
                    break;
                }
                if (failMidway && i == 3) {
                    subscriber.onError(new GatewayError(502, "upstream_error", "upstream_stream_failed",
                            "Provider '" + providerName + "' failed in the middle of the stream"));
                    return;
                }
                subscriber.onChunk(chunks.get(i));
                if (pauseMs > 0 && i + 1 < chunks.size()) {
                    int next = i + 1;
                    call.eventLoop().schedule(() -> push(subscriber, next), pauseMs, TimeUnit.MILLISECONDS);
                    return;
                }
            }
            if (!cancelled) {
                subscriber.onEnd();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
            if (resumeAt >= 0) {
                int from = resumeAt;
                resumeAt = -1;
                push(subscriber, from);
            }
        }
    }
}
