package dev.budgateway.providers.translate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Chunk;

/** Makes the OpenAI {@code chat.completion.chunk}s of one translated stream, all with one id and model. */
public final class ChunkBuilder {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final long created = System.currentTimeMillis() / 1000;
    private String id;
    private String model;

    public ChunkBuilder(String id, String model) {
        this.id = id;
        this.model = model;
    }

    public void id(String id) {
        this.id = id;
    }

    public void model(String model) {
        this.model = model;
    }

    /** The first chunk of a stream: the assistant's role. */
    public Chunk role() {
        return delta(NODES.objectNode().put("role", "assistant").put("content", ""), null);
    }

    public Chunk text(String text) {
        return delta(NODES.objectNode().put("content", text), null);
    }

    public Chunk reasoning(String text) {
        return delta(NODES.objectNode().put("reasoning_content", text), null);
    }

    /**
     * The signature that seals a reasoning block (Anthropic's {@code signature_delta}), as
     * {@code reasoning_signature}: OpenAI clients ignore it, and {@code /v1/messages} clients need it back.
     */
    public Chunk reasoningSignature(String signature) {
        return delta(NODES.objectNode().put("reasoning_signature", signature), null);
    }

    /** Reasoning the provider keeps encrypted (Anthropic's {@code redacted_thinking}), as {@code reasoning_redacted}. */
    public Chunk redactedReasoning(String data) {
        return delta(NODES.objectNode().put("reasoning_redacted", data), null);
    }

    /** The start of a tool call: its id and name, and the first piece of its arguments ({@code ""} for none). */
    public Chunk toolCall(int index, String callId, String name, String arguments) {
        ObjectNode call = NODES.objectNode();
        call.put("index", index);
        call.put("id", callId);
        call.put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        ObjectNode delta = NODES.objectNode();
        delta.putArray("tool_calls").add(call);
        return delta(delta, null);
    }

    /** A further piece of a tool call's arguments. */
    public Chunk toolArguments(int index, String arguments) {
        ObjectNode call = NODES.objectNode().put("index", index);
        call.putObject("function").put("arguments", arguments);
        ObjectNode delta = NODES.objectNode();
        delta.putArray("tool_calls").add(call);
        return delta(delta, null);
    }

    public Chunk finish(String finishReason) {
        return delta(NODES.objectNode(), finishReason);
    }

    /** The usage-only chunk that ends an OpenAI stream when {@code include_usage} is set. */
    public Chunk usage(ObjectNode usage) {
        ObjectNode o = base();
        o.putArray("choices");
        o.set("usage", usage);
        return Chunk.event(o);
    }

    private ObjectNode base() {
        ObjectNode o = NODES.objectNode();
        o.put("id", id);
        o.put("object", "chat.completion.chunk");
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    private Chunk delta(ObjectNode delta, String finishReason) {
        ObjectNode o = base();
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return Chunk.event(o);
    }
}
