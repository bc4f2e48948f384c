package dev.budgateway.providers;

import dev.budgateway.plugins.spi.Response;
import java.util.concurrent.CompletionStage;

/**
 * Sends one request to one upstream. Completes with the response once its head is known (a stream's
 * body then follows chunk by chunk), or fails with a {@link dev.budgateway.plugins.spi.GatewayException}
 * whose error says what the client should see.
 */
public interface Provider {

    CompletionStage<Response> send(ProviderCall call);
}
