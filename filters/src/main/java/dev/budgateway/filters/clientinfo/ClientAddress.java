package dev.budgateway.filters.clientinfo;

import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Keys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * Which address is the client's. The socket's peer, unless the peer is a trusted proxy: only then are
 * forwarding headers read, and of {@code X-Forwarded-For} (and {@code Forwarded}) the right-most hop that is
 * not itself a trusted proxy is the client, since every hop left of it was written by someone the gateway
 * cannot vouch for. A client that is not behind a trusted proxy can never choose its own address.
 */
final class ClientAddress {

    /** The headers that may name the client, in the order they are tried. */
    static final List<String> KNOWN_HEADERS = List.of("x-forwarded-for", "forwarded", "x-real-ip",
            "cf-connecting-ip", "true-client-ip");

    private final IpRanges trusted;
    private final List<String> headers;

    ClientAddress(IpRanges trusted, List<String> headers) {
        this.trusted = trusted;
        this.headers = List.copyOf(headers);
    }

    /** The client's address, or {@code null} when the socket's is unknown (an in-process test). */
    InetAddress resolve(Exchange exchange) {
        InetSocketAddress peerSocket = exchange.get(Keys.PEER_ADDRESS);
        InetAddress peer = peerSocket == null ? null : peerSocket.getAddress();
        if (peer == null || !trusted.contains(peer)) {
            return peer;
        }
        for (String header : headers) {
            // Several lines of one header are one list, in order: a proxy may add its own line.
            List<String> lines = exchange.headers(header);
            if (lines.isEmpty()) {
                continue;
            }
            String value = lines.size() == 1 ? lines.get(0) : String.join(",", lines);
            if (value.isBlank()) {
                continue;
            }
            InetAddress found = switch (header) {
                case "x-forwarded-for" -> rightMostUntrusted(value.split(","), false);
                case "forwarded" -> rightMostUntrusted(value.split(","), true);
                default -> IpRanges.parse(value);
            };
            if (found != null) {
                return found;
            }
        }
        return peer;
    }

    /** The right-most hop that is not a trusted proxy; the left-most when all are; {@code null} if none parses. */
    private InetAddress rightMostUntrusted(String[] hops, boolean forwardedSyntax) {
        InetAddress leftMost = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = forwardedSyntax ? forwardedFor(hops[i]) : IpRanges.parse(stripPort(hops[i].strip()));
            if (hop == null) {
                // An unreadable hop ends what can be trusted: nothing left of it is taken.
                return leftMost;
            }
            if (!trusted.contains(hop)) {
                return hop;
            }
            leftMost = hop;
        }
        return leftMost;
    }

    /** The {@code for=} of one RFC 7239 element: {@code for=192.0.2.60}, {@code for="[2001:db8::1]:4711"}. */
    private static InetAddress forwardedFor(String element) {
        for (String pair : element.split(";")) {
            String p = pair.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
                String v = p.substring(4).strip();
                if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
                    v = v.substring(1, v.length() - 1);
                }
                return IpRanges.parse(stripPort(v));
            }
        }
        return null;
    }

    /** {@code 1.2.3.4:80} → {@code 1.2.3.4}; {@code [2001:db8::1]:443} → {@code 2001:db8::1}; IPv6 bare stays. */
    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int close = hop.indexOf(']');
            return close > 0 ? hop.substring(1, close) : hop;
        }
        int colon = hop.indexOf(':');
        if (colon > 0 && hop.indexOf(':', colon + 1) < 0) {
            return hop.substring(0, colon);
        }
        return hop;
    }
}
