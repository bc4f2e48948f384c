package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.CompletionSink;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code budgateway.requests} logger: request id, trace id, API, model, provider,
 * status,
 * latency, time to first byte, attempts, tokens, the key's id and the client's address. Never a body, a key or a
 * secret. The logger writes through an asynchronous appender that drops rather than blocks ({@code logback.xml}), so
 * a slow console does not slow requests; {@code BUDGATEWAY_REQUEST_LOG=OFF} turns it off.
 */
final class RequestLogSink implements CompletionSink {

    static final Logger LOG = LoggerFactory.getLogger("budgateway.requests");

    @Override
    public void onFinished(FinishedExchange f) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Completion c = f.completion();
        Exchange ex = f.exchange();
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("request_id", f.requestId());
        if (f.traceId() != null) {
            line.put("trace_id", f.traceId());
        }
        line.put("api", f.api());
        line.put("stream", f.stream());
        if (ex != null) {
            line.put("method", ex.method());
            line.put("path", ex.path());
            line.put("model", ex.get(Keys.MODEL));
            ClientInfo info = ex.get(Keys.CLIENT_INFO);
            if (info != null && info.ip() != null) {
                line.put("client_ip", info.ip());
            }
            Identity id = ex.get(Keys.IDENTITY);
            if (id != null) {
                line.put("api_key_id", id.apiKeyId());
                line.put("user_id", id.userId());
            }
        }
        if (c.servedBy() != null) {
            line.put("provider", c.servedBy().provider());
            line.put("served_model", c.servedBy().model());
        }
        line.put("status", c.status());
        line.put("duration_ms", c.durationNanos() / 1e6);
        if (c.firstChunkNanos() >= 0) {
            line.put("ttfb_ms", c.firstChunkNanos() / 1e6);
        }
        line.put("attempts", c.attempts());
        if (c.usage() != null) {
            line.put("input_tokens", c.usage().inputTokens());
            line.put("output_tokens", c.usage().outputTokens());
        }
        if (c.error() != null) {
            line.put("error", c.error().type());
        }
        if (c.cancelled()) {
            line.put("cancelled", true);
        }
        LOG.info(line.toString());
    }
}
