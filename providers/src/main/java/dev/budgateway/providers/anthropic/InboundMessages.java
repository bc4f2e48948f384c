package dev.budgateway.providers.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Key;

/**
 * A request that came in on {@code /v1/messages}: the client's Anthropic body, and the chat body it was
 * translated to. When no filter has changed the chat body, an Anthropic provider sends the original, so
 * nothing the translation cannot carry ({@code cache_control}, {@code thinking}) is lost.
 */
public record InboundMessages(ObjectNode original, ObjectNode translated) {

    public static final Key<InboundMessages> KEY = Key.of("inbound_messages", InboundMessages.class);

    /** The original body if the exchange still carries the translation unchanged, else {@code null}. */
    public static ObjectNode unchangedOriginal(Exchange exchange) {
        InboundMessages inbound = exchange.get(KEY);
        return inbound != null && inbound.translated().equals(exchange.body()) ? inbound.original() : null;
    }
}
