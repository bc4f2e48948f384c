package dev.budgateway.plugins.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A request body kept as the client's bytes until someone asks for its tree; shared by an exchange and
 * its attempts, so a change one of them makes is the body of all. Confined to the exchange's event loop.
 */
final class LazyBody {

    private final byte[] bytes;
    private ObjectNode tree;

    private LazyBody(byte[] bytes, ObjectNode tree) {
        this.bytes = bytes;
        this.tree = tree;
    }

    static LazyBody of(ObjectNode tree) {
        return new LazyBody(null, tree);
    }

    /** @param bytes a JSON object already checked by the endpoint */
    static LazyBody of(byte[] bytes) {
        return new LazyBody(bytes, null);
    }

    ObjectNode tree() {
        ObjectNode t = tree;
        if (t == null && bytes != null) {
            try {
                t = (ObjectNode) Json.MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("a body the endpoint checked could not be parsed", e);
            }
            tree = t;
        }
        return t;
    }

    /** The client's bytes while nobody has had the tree; else {@code null}. */
    byte[] untouched() {
        return tree == null ? bytes : null;
    }
}
