package dev.budgateway.providers.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import dev.budgateway.providers.pool.UpstreamTarget;

/** A protocol whose provider counts a Messages request's input tokens without running it (Anthropic's). */
public interface TokenCounting {

    /**
     * The request that counts {@code messagesRequest}'s tokens at {@code target}.
     *
     * @param beta the client's {@code anthropic-beta} header, or {@code null}
     */
    HttpRequest countTokensRequest(ObjectNode messagesRequest, String beta, UpstreamTarget target);
}
