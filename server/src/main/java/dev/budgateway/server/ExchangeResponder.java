package dev.budgateway.server;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import dev.budgateway.analytics.ObservabilitySettings;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.runtime.ResponsePipeline;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.ChunkSubscriber;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.Usage;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one exchange's outcome to the client: a unary JSON body, an SSE stream passed through chunk by
 * chunk, or an error. Runs the response listeners on the way and delivers the {@link Completion} exactly
 * once, whatever happens (also when the client goes away, which cancels the upstream stream).
 *
 * <p>A stream's head is sent with its first chunk, so a stream that fails before any content still gets
 * a proper HTTP error status instead of a 200 with an error event.
 */
final class ExchangeResponder implements ResponsePipeline.Sink, ChunkSubscriber {

    private static final Logger logger = LoggerFactory.getLogger(ExchangeResponder.class);

    private final DefaultExchange exchange;
    private final ClientProtocol protocol;
    private final ObservabilitySettings observability;
    private final Consumer<Completion> onComplete;

    private ResponsePipeline pipeline;
    private ResponseHead head;
    private ChunkStream body;
    private HttpResponseWriter writer;
    /** Completed once with what the client gets: an aggregated response, or the stream writer. */
    private final CompletableFuture<HttpResponse> result;
    private byte[] unaryBody;
    private boolean headSent;
    private boolean done;
    private Usage usage;
    private long firstChunkNanos = -1;
    /** How far the client is behind: past a point, the response (and its upstream) is paused. */
    private final ClientDemand demand;
    /** Where a stream's frames go: the head first, once, then batched per turn of the event loop. */
    private final Consumer<HttpData> toClient;
    private final FrameBatch batch;

    /** Told when this exchange is over, so shutdown knows what is still in flight. */
    private final Drain drain;

    ExchangeResponder(DefaultExchange exchange, ClientProtocol protocol, ObservabilitySettings observability,
            Consumer<Completion> onComplete, CompletableFuture<HttpResponse> result, Drain drain) {
        this.exchange = exchange;
        this.observability = observability;
        this.drain = drain;
        this.result = result;
        this.protocol = protocol;
        this.onComplete = onComplete;
        this.demand = new ClientDemand(() -> writer == null ? CompletableFuture.completedFuture(null)
                : writer.whenConsumed(), exchange.eventLoop(), () -> pipeline.pause(), () -> pipeline.resume());
        this.batch = new FrameBatch(exchange.eventLoop(), ByteBufAllocator.DEFAULT, frames -> {
            int bytes = frames.length();
            if (writer.tryWrite(frames)) {
                demand.wrote(bytes);
            }
        });
        this.toClient = frame -> {
            sendHead();
            batch.add(frame);
        };
    }

    /** The response for an exchange that ended before any provider answered. */
    void error(GatewayError error) {
        if (done) {
            return;
        }
        done = true;
        pipeline = exchange.responsePipeline(this);
        if (exchange.whenCancelled().toCompletableFuture().isDone()) {
            // The failure is the cancelled upstream call: what happened is that the client left.
            complete(499, null, true);
        } else {
            complete(error.status(), error, false);
        }
        result.complete(protocol.errorResponse(error, exchange.get(Keys.REQUEST_ID)).toHttpResponse());
    }

    void respond(Response response) {
        if (done) {
            response.body().cancel(); // ended meanwhile (shutdown): nobody reads this answer
            return;
        }
        try {
            start(response);
        } catch (RuntimeException e) {
            broken(e);
        }
    }

    /**
     * A bug in the gateway or a filter while answering: the client still gets an answer (a 500, or the end
     * of its stream with an error), never a request left open.
     */
    private void broken(RuntimeException e) {
        logger.warn("{}: the response could not be sent", exchange.get(Keys.REQUEST_ID), e);
        if (body != null) {
            body.cancel();
        }
        done = true;
        if (head == null) {
            head = new ResponseHead(500, false);
        }
        if (pipeline == null) {
            pipeline = exchange.responsePipeline(this);
        }
        fail(GatewayError.internal("Internal error"));
    }

    private void start(Response response) {
        head = response.head();
        body = response.body();
        gatewayHeaders(head);
        pipeline = exchange.responsePipeline(this);
        pipeline.source(body);
        pipeline.head(head);
        if (head.isStreaming()) {
            writer = HttpResponse.streaming();
            writer.whenComplete().whenComplete((unused, cause) -> {
                if (cause != null) {
                    exchange.eventLoop().execute(this::clientGone);
                }
            });
            result.complete(writer);
            body.subscribe(this);
            return;
        }
        body.subscribe(this);
    }

    // ---- from the provider, through the listeners

    @Override
    public void onChunk(Chunk chunk) {
        if (done) {
            return;
        }
        if (firstChunkNanos < 0) {
            firstChunkNanos = System.nanoTime() - exchange.startNanos();
        }
        if (!chunk.isFrames() && chunk.hasField("usage")) {
            Usage u = chunk.usage();
            if (u != null) {
                usage = u;
            }
        }
        pipeline.chunk(chunk);
    }

    @Override
    public boolean takesFrames() {
        return writer != null && head.rawContentType() == null && protocol.takesFrames() && pipeline.passesFrames();
    }

    @Override
    public void onEnd() {
        if (done) {
            return;
        }
        pipeline.end(); // the listeners may still emit what they held; then end() below
    }

    // ---- from the last listener, to the client

    @Override
    public void end() {
        if (done) {
            return;
        }
        if (writer != null && !writer.isOpen()) {
            clientGone(); // the client left in this turn: its notice is still queued behind it
            return;
        }
        done = true;
        try {
            if (writer != null) {
                sendHead();
                if (head.rawContentType() == null) {
                    protocol.end(batch::add); // with the last frames, in their write
                }
                batch.finish();
                writer.close();
            } else {
                ResponseHeadersBuilder headers = headers(head.status()).contentType(MediaType.JSON_UTF_8);
                costHeader(headers);
                result.complete(whole(headers, unaryBody == null ? new byte[0] : protocol.unary(unaryBody)));
            }
        } catch (RuntimeException e) {
            broken(e);
            return;
        }
        complete(head.status(), null, false);
    }

    @Override
    public void onError(GatewayError error) {
        if (done) {
            return;
        }
        done = true;
        fail(error);
    }

    @Override
    public void write(Chunk chunk) {
        if (done && writer == null) {
            return;
        }
        if (writer == null) {
            unaryBody = chunk.data();
            return;
        }
        if (head.rawContentType() != null) {
            toClient.accept(HttpData.wrap(chunk.data()));
            return;
        }
        protocol.event(chunk, toClient);
    }

    @Override
    public void abort(GatewayError error) {
        if (done) {
            return;
        }
        done = true;
        body.cancel();
        fail(error);
    }

    private void fail(GatewayError error) {
        if (writer == null) {
            result.complete(protocol.errorResponse(error, exchange.get(Keys.REQUEST_ID)).toHttpResponse());
        } else if (!headSent) {
            headSent = true;
            writer.close(protocol.errorResponse(error, exchange.get(Keys.REQUEST_ID)));
        } else {
            // Content has reached the client: end the stream with an explicit error, never a silent clean end.
            if (head.rawContentType() == null) {
                protocol.error(error, batch::add);
                batch.finish();
                writer.close();
            } else {
                // A raw body has no way to say so in band: cut it, so the client sees it is incomplete.
                batch.flush();
                writer.close(new java.io.IOException(error.message()));
            }
        }
        complete(error.status(), error, false);
    }

    /** Ends this exchange now, from any thread: the gateway is stopping and its grace period is over. */
    void shutDown(GatewayError error) {
        exchange.eventLoop().execute(() -> {
            if (done) {
                return;
            }
            if (body == null) {
                error(error); // still in the chain: no response yet
                exchange.cancel();
                return;
            }
            abort(error);
        });
    }

    private void clientGone() {
        if (done) {
            return;
        }
        done = true;
        body.cancel();
        batch.discard();
        complete(499, null, true);
    }

    private void sendHead() {
        if (headSent) {
            return;
        }
        ResponseHeaders headers = head.rawContentType() != null
                ? headers(head.status()).contentType(MediaType.parse(head.rawContentType())).build()
                : headers(head.status())
                        .contentType(MediaType.EVENT_STREAM)
                        .set("cache-control", "no-cache")
                        .set("x-accel-buffering", "no")
                        .build();
        headSent = true; // only once the head could be built: a failure before still gets an error status
        writer.tryWrite(headers); // false when the client has left: its notice follows in a later turn
    }

    /**
     * A whole answer with its length set here: {@code HttpResponse.of(headers, content)} would set it by copying
     * every header into a new set, once per answer.
     */
    private static HttpResponse whole(ResponseHeadersBuilder headers, byte[] body) {
        ResponseHeaders h = headers.contentLength(body.length).build();
        if (body.length == 0 || h.status().isContentAlwaysEmpty()) {
            return HttpResponse.of(h, HttpData.empty()); // Armeria's rules for a bodiless status
        }
        return HttpResponse.of(h, (HttpObject) HttpData.wrap(body));
    }

    private ResponseHeadersBuilder headers(int status) {
        ResponseHeadersBuilder b = ResponseHeaders.builder(HttpStatus.valueOf(status));
        head.headers().forEach((name, value) -> b.set(name, HeaderValues.safe(value)));
        return b;
    }

    private void gatewayHeaders(ResponseHead h) {
        h.header("x-request-id", exchange.get(Keys.REQUEST_ID));
        RouteTarget servedBy = exchange.get(Keys.SERVED_BY);
        if (servedBy != null) {
            h.header("x-gateway-model", servedBy.model());
            h.header("x-gateway-provider", servedBy.provider());
        }
        Integer attempts = exchange.get(Keys.ATTEMPTS);
        if (attempts != null) {
            h.header("x-gateway-attempts", attempts.toString());
        }
    }

    /** A whole answer's cost, when asked for: its usage is known before its head goes out, unlike a stream's. */
    private void costHeader(ResponseHeadersBuilder headers) {
        if (!observability.costHeader()) {
            return;
        }
        Double cost = ObservabilitySettings.cost(observability.priceOf(exchange, exchange.get(Keys.SERVED_BY)), usage);
        if (cost != null) {
            headers.set("x-gateway-cost", java.math.BigDecimal.valueOf(cost).stripTrailingZeros().toPlainString());
        }
    }

    private void complete(int status, GatewayError error, boolean cancelled) {
        if (error != null && logger.isDebugEnabled()) {
            logger.debug("{} {} ended with {} {}: {}", exchange.get(Keys.REQUEST_ID), exchange.get(Keys.MODEL), status,
                    error.code(), error.message());
        }
        Integer attempts = exchange.get(Keys.ATTEMPTS);
        Completion completion = new Completion(status, usage, error, cancelled, attempts == null ? 0 : attempts,
                exchange.get(Keys.SERVED_BY), System.nanoTime() - exchange.startNanos(), firstChunkNanos);
        drain.finished(this);
        pipeline.complete(completion);
        onComplete.accept(completion);
    }
}
