package dev.budgateway.bench;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-style upstream that streams slowly: every chat request gets {@code EVENTS} content chunks
 * {@code PAUSE_MS} apart, each in a write of its own, then a finish chunk, a usage chunk and {@code [DONE]}. For
 * holding many streams open at once, and for the paced long stream of {@code bench/run}.
 *
 * <pre>SlowSseUpstream PORT EVENTS PAUSE_MS</pre>
 */
public final class SlowSseUpstream {

    private SlowSseUpstream() {}

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int events = Integer.parseInt(args[1]);
        long pauseMs = Long.parseLong(args[2]);
        Server server = Server.builder()
                .http(port)
                .requestTimeoutMillis(0)
                .idleTimeoutMillis(0)
                .maxNumConnections(Integer.MAX_VALUE)
                .channelOption(ChannelOption.SO_BACKLOG, 65535)
                .service("/v1/chat/completions", (ctx, req) -> {
                    HttpResponseWriter w = HttpResponse.streaming();
                    w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "text/event-stream"));
                    req.aggregate().thenRun(() -> write(ctx.eventLoop(), w, 0, events, pauseMs));
                    return w;
                })
                .build();
        server.start().join();
        System.out.println("slow SSE upstream on " + port);
    }

    private static void write(EventLoop loop, HttpResponseWriter w, int i, int events, long pauseMs) {
        if (!w.isOpen()) {
            return;
        }
        if (i == events) {
            w.tryWrite(HttpData.ofUtf8("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                    + "\"model\":\"slow\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"slow\","
                    + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":" + events
                    + ",\"total_tokens\":" + (events + 9) + "}}\n\n"
                    + "data: [DONE]\n\n"));
            w.close();
            return;
        }
        w.tryWrite(HttpData.ofUtf8("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"slow\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + i + " \"},"
                + "\"finish_reason\":null}]}\n\n"));
        loop.schedule(() -> write(loop, w, i + 1, events, pauseMs), pauseMs, TimeUnit.MILLISECONDS);
    }
}
