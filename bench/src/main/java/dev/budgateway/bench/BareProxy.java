package dev.budgateway.bench;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.Server;
import io.netty.channel.EventLoopGroup;

/**
 * The baseline the gateway is measured against: a plain Armeria reverse proxy with the same transport
 * tuning (one event-loop group shared by server and client, HTTP/1.1 upstream, request aggregated before
 * it is forwarded) and nothing else: no parsing, no filters, no metrics.
 *
 * <pre>BareProxy PORT UPSTREAM_BASE_URL</pre>
 */
public final class BareProxy {

    private BareProxy() {}

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(Runtime.getRuntime().availableProcessors());
        ClientFactory factory = ClientFactory.builder().workerGroup(loops, false).useHttp2Preface(false).build();
        WebClient upstream = WebClient.builder(args[1].replace("http://", "h1c://")).factory(factory).build();
        Server.builder()
                .http(port)
                .workerGroup(loops, false)
                .requestTimeoutMillis(0)
                .serviceUnder("/", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg ->
                        upstream.execute(agg.toHttpRequest()))))
                .build()
                .start()
                .join();
        System.out.println("bare proxy on " + port);
    }
}
