package dev.budgateway.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
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
 * status, latency, time to first byte, attempts, tokens, the key's id and the client's address. Never a body, a key
 * or a secret. The logger writes through {@link BatchingConsoleAppender}, which drops rather than blocks
 * ({@code logback.xml}), so a slow console does not slow requests; {@code BUDGATEWAY_REQUEST_LOG=OFF} turns it off.
 */
final class RequestLogSink implements CompletionSink {

    static final Logger LOG = LoggerFactory.getLogger("budgateway.requests");

    @Override
    public void onFinished(FinishedExchange f) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(line(f));
    }

    /** Written straight into one builder: a tree and its serialiser cost several times as much, per request. */
    private static String line(FinishedExchange f) {
        Completion c = f.completion();
        Exchange ex = f.exchange();
        Line line = new Line();
        line.string("request_id", f.requestId());
        if (f.traceId() != null) {
            line.string("trace_id", f.traceId());
        }
        line.string("api", f.api());
        line.raw("stream", f.stream() ? "true" : "false");
        if (ex != null) {
            line.string("method", ex.method());
            line.string("path", ex.path());
            line.string("model", ex.get(Keys.MODEL));
            ClientInfo info = ex.get(Keys.CLIENT_INFO);
            if (info != null && info.ip() != null) {
                line.string("client_ip", info.ip());
            }
            Identity id = ex.get(Keys.IDENTITY);
            if (id != null) {
                line.string("api_key_id", id.apiKeyId());
                line.string("user_id", id.userId());
            }
        }
        if (c.servedBy() != null) {
            line.string("provider", c.servedBy().provider());
            line.string("served_model", c.servedBy().model());
        }
        line.number("status", c.status());
        line.millis("duration_ms", c.durationNanos());
        if (c.firstChunkNanos() >= 0) {
            line.millis("ttfb_ms", c.firstChunkNanos());
        }
        line.number("attempts", c.attempts());
        if (c.usage() != null) {
            line.number("input_tokens", c.usage().inputTokens());
            line.number("output_tokens", c.usage().outputTokens());
        }
        if (c.error() != null) {
            line.string("error", c.error().type());
        }
        if (c.cancelled()) {
            line.raw("cancelled", "true");
        }
        return line.end();
    }

    /**
     * Nanoseconds as milliseconds to the nanosecond, trailing zeros dropped ({@code 1.2}, {@code 3.0}): what
     * {@code Double.toString} gives below 10^7 ms, without its cost, and without its exponents anywhere.
     */
    static void appendMillis(StringBuilder sb, long nanos) {
        if (nanos < 0) {
            sb.append('-');
            nanos = -nanos;
        }
        sb.append(nanos / 1_000_000).append('.');
        int fraction = (int) (nanos % 1_000_000);
        int digits = 6;
        while (digits > 1 && fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        int shown = 1;
        for (int rest = fraction / 10; rest > 0; rest /= 10) {
            shown++;
        }
        for (; shown < digits; shown++) {
            sb.append('0');
        }
        sb.append(fraction);
    }

    /** One JSON object, field by field; a {@code null} string is written as JSON's null. */
    private static final class Line {
        private final StringBuilder sb = new StringBuilder(256).append('{');

        void string(String name, String value) {
            if (value == null) {
                raw(name, "null");
                return;
            }
            name(name);
            sb.append('"');
            JsonStringEncoder.getInstance().quoteAsString(value, sb);
            sb.append('"');
        }

        void number(String name, long value) {
            name(name);
            sb.append(value);
        }

        void millis(String name, long nanos) {
            name(name);
            appendMillis(sb, nanos);
        }

        void raw(String name, String json) {
            name(name);
            sb.append(json);
        }

        private void name(String name) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(name).append("\":");
        }

        String end() {
            return sb.append('}').toString();
        }
    }
}
