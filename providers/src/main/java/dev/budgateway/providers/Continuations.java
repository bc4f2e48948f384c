package dev.budgateway.providers;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Requests that continue an answer already partly given: the partial answer as the assistant's last turn. */
public final class Continuations {

    private Continuations() {}

    /** A copy of {@code chatBody} whose last message is the assistant's {@code partial} answer (prefill). */
    public static ObjectNode withAssistantPrefill(ObjectNode chatBody, String partial) {
        ObjectNode body = chatBody.deepCopy();
        body.withArray("messages").addObject().put("role", "assistant").put("content", partial);
        return body;
    }
}
