package dev.budgateway.filters.limits;

import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import java.net.InetSocketAddress;
import java.util.Locale;

/** What a limit counts per: each value of the scope has a bucket of its own. */
public enum Scope {
    /** The API key's id (never the key itself). */
    API_KEY,
    USER,
    PROJECT,
    /** The model name the client wrote. */
    MODEL,
    /** The catalogue model the request is for: the control plane's endpoint id, else the model name. */
    ENDPOINT,
    /** The client's address as the client-info filter trusted it, else the connection's peer. */
    CLIENT_IP;

    public static Scope parse(String name) {
        for (Scope s : values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scope \"" + name + "\": expected api_key, user, project, model, "
                + "endpoint or client_ip");
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This request's value, or {@code null} when the request has none (the limit then does not apply). */
    public String valueOf(Exchange exchange) {
        Identity id = this == API_KEY || this == USER || this == PROJECT ? exchange.get(Keys.IDENTITY) : null;
        return switch (this) {
            case API_KEY -> id == null ? null : id.apiKeyId();
            case USER -> id == null ? null : id.userId();
            case PROJECT -> id == null ? null : id.projectId();
            case MODEL -> exchange.get(Keys.MODEL);
            case ENDPOINT -> {
                String resolved = exchange.get(Keys.RESOLVED_MODEL);
                yield resolved != null ? resolved : exchange.get(Keys.MODEL);
            }
            case CLIENT_IP -> {
                ClientInfo info = exchange.get(Keys.CLIENT_INFO);
                if (info != null && info.address() != null) {
                    yield info.address().getHostAddress();
                }
                InetSocketAddress peer = exchange.get(Keys.PEER_ADDRESS);
                yield peer == null || peer.getAddress() == null ? null : peer.getAddress().getHostAddress();
            }
        };
    }
}
