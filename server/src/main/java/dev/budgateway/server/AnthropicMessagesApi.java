package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.plugins.runtime.DefaultExchange;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.providers.anthropic.InboundMessages;
import dev.budgateway.providers.anthropic.MessagesToChat;

/**
 * {@code POST /v1/messages}: Anthropic's Messages API, served as chat completions by any provider. The
 * client's own request rides along ({@link InboundMessages}), so an Anthropic provider can send it as it is.
 */
final class AnthropicMessagesApi implements ClientApi {

    @Override
    public String name() {
        return "messages";
    }

    @Override
    public ApiEndpoint endpoint() {
        return ApiEndpoint.CHAT;
    }

    @Override
    public Request read(ServiceRequestContext ctx, HttpRequest req, byte[] bytes) {
        ObjectNode original = RequestParser.parseObject(bytes);
        ObjectNode body = MessagesToChat.translate(original);
        InboundMessages inbound = new InboundMessages(original, body.deepCopy(), req.headers().get("anthropic-beta"));
        return new Request() {
            @Override
            public ObjectNode body() {
                return body;
            }

            @Override
            public void prepare(DefaultExchange exchange) {
                exchange.put(InboundMessages.KEY, inbound);
            }

            @Override
            public ClientProtocol protocol() {
                return new AnthropicClientProtocol(body.path("model").asText(), original);
            }
        };
    }

    @Override
    public ClientProtocol errors() {
        return new AnthropicClientProtocol("", null);
    }
}
