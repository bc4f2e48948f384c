package dev.budgateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.spi.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * A real HTTP server speaking OpenAI's wire protocol, scripted per test: what it answers, byte by byte
 * and with pauses when needed. Records what it received and whether the gateway hung up on a stream.
 */
final class MockOpenAi implements AutoCloseable {

    /** One request as the upstream saw it. */
    record Received(String path, String authorization, String contentType, byte[] body,
            com.linecorp.armeria.common.RequestHeaders headers) {
        String header(String name) {
            return headers.get(name);
        }

        JsonNode json() {
            try {
                return Json.parse(body);
            } catch (Exception e) {
                throw new AssertionError("upstream got invalid JSON", e);
            }
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Completes when a streamed response is closed by the other side before it ended. */
    volatile CompletableFuture<Throwable> streamCancelled = new CompletableFuture<>();
    private volatile BiFunction<ServiceRequestContext, Received, HttpResponse> handler;
    private final Server server;

    MockOpenAi() {
        server = Server.builder()
                .http(0)
                .requestTimeoutMillis(0)
                .gracefulShutdownTimeoutMillis(0, 0)
                .serviceUnder("/", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> handle(ctx, agg))))
                .build();
        server.start().join();
        answerChat("mock answer");
    }

    private HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest agg) {
        Received r = new Received(agg.path(), agg.headers().get("authorization"),
                agg.headers().get("content-type"), agg.content().array(), agg.headers());
        received.add(r);
        return handler.apply(ctx, r);
    }

    String apiBase() {
        return "http://127.0.0.1:" + server.activeLocalPort() + "/v1";
    }

    void handle(BiFunction<ServiceRequestContext, Received, HttpResponse> handler) {
        this.handler = handler;
    }

    /** Non-streaming chat answers {@code text}; streaming ones stream it word by word. */
    void answerChat(String text) {
        handle((ctx, r) -> r.json().path("stream").asBoolean() ? sse(ctx, chatEvents(text, r), 0, 0)
                : json(200, chatCompletion(text)));
    }

    @Override
    public void close() {
        server.stop();
    }

    // ---- building responses

    static HttpResponse json(int status, String body) {
        return HttpResponse.of(HttpStatus.valueOf(status), MediaType.JSON_UTF_8, body);
    }

    static String chatCompletion(String text) {
        return "{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"mock-model\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(text)
                + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
                + "\"total_tokens\":10}}";
    }

    /** The events of a chat stream of {@code text}, split into the given pieces, with usage when asked. */
    static List<String> chatEvents(List<String> pieces, boolean usage) {
        List<String> events = new ArrayList<>();
        events.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        for (String p : pieces) {
            events.add(chunk("{\"content\":" + quote(p) + "}", null));
        }
        events.add(chunk("{}", "stop"));
        if (usage) {
            events.add("{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"mock-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":"
                    + pieces.size() + ",\"total_tokens\":" + (7 + pieces.size()) + "}}");
        }
        events.add("[DONE]");
        return events;
    }

    static List<String> chatEvents(String text, Received r) {
        List<String> pieces = new ArrayList<>();
        for (String w : text.split("(?<= )")) {
            pieces.add(w);
        }
        return chatEvents(pieces, r.json().path("stream_options").path("include_usage").asBoolean());
    }

    static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":"
                + "\"mock-model\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : quote(finish)) + "}]}";
    }

    /** Named events ({@code event: name}), each {@code {name, json}}, as separate writes. */
    HttpResponse namedEvents(ServiceRequestContext ctx, List<String[]> events, long pauseMs) {
        List<byte[]> writes = new ArrayList<>();
        for (String[] e : events) {
            writes.add(("event: " + e[0] + "\ndata: " + e[1] + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        return stream(ctx, writes, pauseMs);
    }

    /** The SSE bytes of {@code events}. */
    static byte[] sseBytes(List<String> events) {
        StringBuilder sb = new StringBuilder();
        for (String e : events) {
            sb.append("data: ").append(e).append("\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Streams {@code events}: the bytes in pieces of {@code pieceBytes} (0 = one event per write), with
     * {@code pauseMs} between writes.
     */
    HttpResponse sse(ServiceRequestContext ctx, List<String> events, int pieceBytes, long pauseMs) {
        List<byte[]> writes = new ArrayList<>();
        if (pieceBytes <= 0) {
            for (String e : events) {
                writes.add(sseBytes(List.of(e)));
            }
        } else {
            byte[] all = sseBytes(events);
            for (int i = 0; i < all.length; i += pieceBytes) {
                writes.add(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + pieceBytes)));
            }
        }
        return stream(ctx, writes, pauseMs);
    }

    /** Writes each byte array as its own piece, pausing {@code pauseMs} between them. */
    HttpResponse stream(ServiceRequestContext ctx, List<byte[]> writes, long pauseMs) {
        HttpResponseWriter w = HttpResponse.streaming();
        w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "text/event-stream"));
        CompletableFuture<Throwable> cancelled = streamCancelled;
        w.whenComplete().whenComplete((v, t) -> {
            if (t != null) {
                cancelled.complete(t);
            }
        });
        writeFrom(ctx, w, writes, 0, pauseMs);
        return w;
    }

    private void writeFrom(ServiceRequestContext ctx, HttpResponseWriter w, List<byte[]> writes, int i, long pauseMs) {
        if (!w.isOpen()) {
            return;
        }
        if (i == writes.size()) {
            w.close();
            return;
        }
        w.tryWrite(HttpData.wrap(writes.get(i)));
        if (pauseMs > 0) {
            ctx.eventLoop().schedule(() -> writeFrom(ctx, w, writes, i + 1, pauseMs), pauseMs, TimeUnit.MILLISECONDS);
        } else {
            writeFrom(ctx, w, writes, i + 1, pauseMs);
        }
    }

    static String quote(String s) {
        return Json.string(com.fasterxml.jackson.databind.node.TextNode.valueOf(s));
    }
}
