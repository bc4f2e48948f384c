package dev.budgateway.filters.usage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Pricing;

/**
 * What a request is reserved at before it runs: input tokens from the body's size (about four bytes a token,
 * generous for JSON), output tokens from {@code max_tokens} (or {@code max_completion_tokens},
 * {@code max_output_tokens}) or a configured default, and their cost.
 */
record Estimate(long inputTokens, long outputTokens, double cost) {

    static final Estimate NONE = new Estimate(0, 0, 0);
    private static final int BYTES_PER_TOKEN = 4;

    long tokens() {
        return inputTokens + outputTokens;
    }

    static Estimate of(Exchange exchange, long defaultMaxTokens, Pricing price) {
        byte[] untouched = exchange.untouchedBody();
        JsonNode body = exchange.body();
        long size = untouched != null ? untouched.length : body.toString().length();
        long input = (size + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
        long output = defaultMaxTokens;
        for (String field : new String[] {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
            if (body.path(field).canConvertToLong() && body.path(field).asLong() > 0) {
                output = body.path(field).asLong();
                break;
            }
        }
        return new Estimate(input, output, price.cost(input, output));
    }
}
