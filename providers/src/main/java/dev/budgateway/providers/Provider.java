package dev.budgateway.providers;

import dev.budgateway.plugins.spi.Response;
import java.util.concurrent.CompletionStage;

/**
 * Sends one request to one upstream. Completes with the response once its head is known (a stream's
 * body then follows chunk by chunk), or fails with a {@link dev.budgateway.plugins.spi.GatewayException}
 * whose error says what the client should see.
 */
public interface Provider extends AutoCloseable {

    CompletionStage<Response> send(ProviderCall call);

    /** The replicas it sends to, for the admin views; none for a provider that answers in-process. */
    default java.util.List<dev.budgateway.providers.pool.UpstreamTarget> targets() {
        return java.util.List.of();
    }

    /**
     * Counts the input tokens of an Anthropic Messages request at the provider, or gives {@code null} when
     * it cannot (only Anthropic can). The stage fails when the provider could not answer.
     *
     * @param beta the client's {@code anthropic-beta} header, or {@code null}
     */
    default CompletionStage<Long> countTokens(com.fasterxml.jackson.databind.node.ObjectNode messagesRequest,
            String beta, java.util.concurrent.Executor eventLoop) {
        return null;
    }

    /**
     * The request that continues {@code partial}, the answer so far to {@code chatBody}, when this provider
     * can take it as prefill and go on from there (Anthropic, Bedrock, vLLM, SGLang); {@code null} when it
     * cannot (OpenAI's API has no prefill). The fallback filter resumes a broken stream with it.
     */
    default com.fasterxml.jackson.databind.node.ObjectNode continuation(
            com.fasterxml.jackson.databind.node.ObjectNode chatBody, String partial) {
        return null;
    }

    /** Stops its background work (health checks). */
    @Override
    default void close() {}

    /** Its load, for balancing a model's providers. */
    default dev.budgateway.providers.pool.Balanced load() {
        return dev.budgateway.providers.pool.NoLoad.INSTANCE;
    }
}
