package dev.budgateway.providers;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.SessionProtocol;
import dev.budgateway.config.UpstreamLimits;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.URI;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The HTTP client every provider sends through, on the server's own event loops. Each loop has its own
 * connection pool, and a call is made on the pool of the loop its request runs on, so a request and its
 * upstream call stay on one thread: no hand-over between loops, no locks.
 */
public final class UpstreamClient implements AutoCloseable {

    private final Map<EventExecutor, ClientFactory> perLoop = new IdentityHashMap<>();
    /** For calls from threads outside the group (tests, tools). */
    private final ClientFactory shared;
    private final long globalTimeoutMs;
    private final UpstreamLimits limits;

    public UpstreamClient(EventLoopGroup eventLoops, long globalTimeoutMs, long connectTimeoutMs) {
        this(eventLoops, globalTimeoutMs, connectTimeoutMs, UpstreamLimits.DEFAULTS);
    }

    public UpstreamClient(EventLoopGroup eventLoops, long globalTimeoutMs, long connectTimeoutMs,
            UpstreamLimits limits) {
        for (EventExecutor loop : eventLoops) {
            perLoop.put(loop, factory((EventLoop) loop, connectTimeoutMs));
        }
        this.shared = factory(eventLoops, connectTimeoutMs);
        this.globalTimeoutMs = globalTimeoutMs;
        this.limits = limits;
    }

    private static ClientFactory factory(EventLoopGroup group, long connectTimeoutMs) {
        return ClientFactory.builder()
                .workerGroup(group, false)
                .useHttp2Preface(false)
                .connectTimeoutMillis(connectTimeoutMs)
                .build();
    }

    /**
     * A client for {@code baseUri}. Plain {@code http://} upstreams get HTTP/1.1 without an upgrade
     * attempt (the upgrade costs latency and most self-hosted servers speak only HTTP/1.1);
     * {@code https://} negotiates HTTP/2 or HTTP/1.1 with ALPN.
     */
    public Endpoint endpoint(URI baseUri) {
        SessionProtocol protocol = "https".equals(baseUri.getScheme()) ? SessionProtocol.HTTPS : SessionProtocol.H1C;
        String base = protocol.uriText() + "://" + baseUri.getRawAuthority();
        // Shared by every provider of one authority: thousands of published models often name one cluster.
        return endpoints.computeIfAbsent(base, b -> {
            Map<EventExecutor, WebClient> clients = new IdentityHashMap<>();
            perLoop.forEach((loop, factory) -> clients.put(loop, build(b, factory)));
            return new Endpoint(clients, build(b, shared));
        });
    }

    private final Map<String, Endpoint> endpoints = new java.util.concurrent.ConcurrentHashMap<>();

    /** Streams get their own length limit per request. */
    private WebClient build(String base, ClientFactory factory) {
        return WebClient.builder(base)
                .factory(factory)
                .responseTimeoutMillis(globalTimeoutMs)
                .writeTimeoutMillis(globalTimeoutMs)
                .maxResponseLength(limits.maxBodyBytes())
                .build();
    }

    /** An event loop for the gateway's own periodic work (health checks). */
    public EventExecutor scheduler() {
        return perLoop.keySet().iterator().next();
    }

    public long globalTimeoutMs() {
        return globalTimeoutMs;
    }

    public UpstreamLimits limits() {
        return limits;
    }

    @Override
    public void close() {
        perLoop.values().forEach(ClientFactory::close);
        shared.close();
    }

    /** One upstream's clients, one per event loop. Immutable. */
    public static final class Endpoint {
        private final Map<EventExecutor, WebClient> perLoop;
        private final WebClient shared;

        Endpoint(Map<EventExecutor, WebClient> perLoop, WebClient shared) {
            this.perLoop = perLoop;
            this.shared = shared;
        }

        /** The client whose connections live on {@code loop}. */
        public WebClient on(Executor loop) {
            WebClient c = loop instanceof EventExecutor ee ? perLoop.get(ee) : null;
            return c != null ? c : shared;
        }
    }
}
