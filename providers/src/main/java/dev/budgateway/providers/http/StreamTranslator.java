package dev.budgateway.providers.http;

import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.providers.sse.SseEvent;

/**
 * Turns one upstream stream's events into the chunks the gateway works with (OpenAI's
 * {@code chat.completion.chunk}s for translated providers). Stateful; one per stream.
 */
public interface StreamTranslator {

    void onEvent(SseEvent event, Emitter out);

    /**
     * Whether a plain event (a JSON object without {@code usage}, {@code finish_reason} or {@code error},
     * and without an event name) would become one chunk of the same bytes here, changing nothing: such
     * events may then skip the translator and go on as {@link Chunk#frames}. The default is {@code false}.
     */
    default boolean passesPlainEvents() {
        return false;
    }

    /** Where a translator sends what it made of an event. */
    interface Emitter {

        void chunk(Chunk chunk);

        /** The upstream said the answer is complete: an end of input after this is a clean end. */
        void finished();

        /** The upstream reported an error inside the stream. */
        void fail(GatewayError error);
    }
}
