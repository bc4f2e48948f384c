package dev.budgateway.providers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.Timeouts;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.UploadedFiles;
import dev.budgateway.providers.anthropic.InboundMessages;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One upstream call.
 *
 * @param lazyBody the client's request body, parsed when first asked for ({@link #body()}); a provider must
 *     not modify it (it is shared by attempts)
 * @param untouched the client's body as it came, scanned, when nothing has asked for its tree; a provider
 *     whose wire format is the client's may send its bytes ({@link ScannedBody#forUpstream}). Otherwise
 *     {@code null}.
 * @param stream whether to ask for a stream
 * @param eventLoop the exchange's event loop: callbacks and timers run here
 * @param timeouts the provider's timeouts for this one attempt
 * @param cancelled completes when the client has gone away: the provider drops the upstream call
 * @param files the uploaded files of a multipart request (whose text fields are {@code body}), or {@code null}
 * @param anthropic the client's own Anthropic Messages request, when it came in on {@code /v1/messages} and
 *     no filter changed it; an Anthropic provider sends it as it is. Otherwise {@code null}.
 */
public record ProviderCall(
        ApiEndpoint endpoint,
        java.util.function.Supplier<ObjectNode> lazyBody,
        ScannedBody untouched,
        boolean stream,
        ScheduledExecutorService eventLoop,
        Timeouts timeouts,
        CompletionStage<Void> cancelled,
        UploadedFiles files,
        InboundMessages anthropic) {

    public ObjectNode body() {
        return lazyBody.get();
    }
}
