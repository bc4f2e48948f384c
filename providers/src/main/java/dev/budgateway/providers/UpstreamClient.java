package dev.budgateway.providers;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.SessionProtocol;
import io.netty.channel.EventLoopGroup;
import java.net.URI;

/**
 * The HTTP client every provider sends through: one connection pool, on the same event loops as the
 * server so that a request and its upstream call stay on one thread.
 */
public final class UpstreamClient implements AutoCloseable {

    /** Upper bound on an aggregated (non-streaming) upstream body. */
    private static final long MAX_RESPONSE_BYTES = 64L * 1024 * 1024;

    private final ClientFactory factory;
    private final long globalTimeoutMs;

    public UpstreamClient(EventLoopGroup eventLoops, long globalTimeoutMs, long connectTimeoutMs) {
        this.factory = ClientFactory.builder()
                .workerGroup(eventLoops, false)
                .useHttp2Preface(false)
                .connectTimeoutMillis(connectTimeoutMs)
                .build();
        this.globalTimeoutMs = globalTimeoutMs;
    }

    /**
     * A client for {@code baseUri}. Plain {@code http://} upstreams get HTTP/1.1 without an upgrade
     * attempt (the upgrade costs latency and most self-hosted servers speak only HTTP/1.1);
     * {@code https://} negotiates HTTP/2 or HTTP/1.1 with ALPN.
     */
    public WebClient client(URI baseUri) {
        SessionProtocol protocol = "https".equals(baseUri.getScheme()) ? SessionProtocol.HTTPS : SessionProtocol.H1C;
        String authority = baseUri.getRawAuthority();
        return WebClient.builder(protocol.uriText() + "://" + authority)
                .factory(factory)
                .responseTimeoutMillis(globalTimeoutMs)
                .writeTimeoutMillis(globalTimeoutMs)
                .maxResponseLength(MAX_RESPONSE_BYTES)
                .build();
    }

    public long globalTimeoutMs() {
        return globalTimeoutMs;
    }

    @Override
    public void close() {
        factory.close();
    }
}
