package dev.budgateway.server;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.GatewayError;
import java.util.function.Consumer;

/**
 * The API the client speaks, as the responder writes it: OpenAI's (as the chain produced it), or
 * Anthropic's Messages API (translated on the way out). Filters always see OpenAI-shaped chunks; this is
 * applied after them. One instance per response: a translation may keep state across a stream.
 */
interface ClientProtocol {

    /** The client's unary body for the chain's. */
    byte[] unary(byte[] body);

    /** Whether {@link Chunk#frames} from the upstream go to the client as they are. */
    default boolean takesFrames() {
        return false;
    }

    /** The frames for one chunk of a stream (none, one or several). */
    void event(Chunk chunk, Consumer<HttpData> out);

    /** The frames that end a stream cleanly. */
    void end(Consumer<HttpData> out);

    /** The frames that end a stream with an error, once content has been sent. */
    void error(GatewayError error, Consumer<HttpData> out);

    /** An error as a whole response. */
    AggregatedHttpResponse errorResponse(GatewayError error, String requestId);
}
