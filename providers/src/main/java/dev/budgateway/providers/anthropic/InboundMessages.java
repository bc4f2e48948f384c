package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Key;

/**
 * A request that came in on {@code /v1/messages}: the client's Anthropic body, the chat body it was
 * translated to, and the client's {@code anthropic-beta} header. When no filter has changed the chat body,
 * an Anthropic provider sends the original with that header, so nothing the translation cannot carry
 * ({@code cache_control}, {@code thinking}, beta features Claude Code turns on) is lost.
 *
 * @param beta the client's {@code anthropic-beta} header, or {@code null}
 */
public record InboundMessages(ObjectNode original, ObjectNode translated, String beta) {

    public static final Key<InboundMessages> KEY = Key.of("inbound_messages", InboundMessages.class);

    /** The inbound request if the exchange still carries its translation unchanged, else {@code null}. */
    public static InboundMessages unchanged(Exchange exchange) {
        InboundMessages inbound = exchange.get(KEY);
        return inbound != null && inbound.translated().equals(exchange.body()) ? inbound : null;
    }
}
