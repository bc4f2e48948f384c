package dev.budgateway.filters.clientinfo;

import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.Keys;
import java.net.InetAddress;

/** Writes {@link Keys#CLIENT_INFO}: the client's trusted address, where it is, and what it runs. Never refuses. */
final class ClientInfoFilter implements Filter {

    private final ClientAddress addresses;
    private final GeoDatabases geo;
    private final AgentParser agents;

    ClientInfoFilter(ClientAddress addresses, GeoDatabases geo, AgentParser agents) {
        this.addresses = addresses;
        this.geo = geo;
        this.agents = agents;
    }

    @Override
    public FilterResult onRequest(Exchange exchange) {
        InetAddress ip = addresses.resolve(exchange);
        java.util.List<String> chain = exchange.headers("x-forwarded-for");
        exchange.put(Keys.CLIENT_INFO, new ClientInfo(ip,
                chain.isEmpty() ? null : String.join(", ", chain), geo == null ? null : geo.lookup(ip),
                agents == null ? null : agents.parse(exchange.header("user-agent"))));
        return FilterResult.CONTINUE;
    }
}
