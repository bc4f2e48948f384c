package dev.budgateway.plugins.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a model's tokens cost: the control plane's {@code pricing} ({@code input_cost, output_cost, currency,
 * per_tokens}) or the file's price table, in the same form. A filter that prices a request puts it in
 * {@link Keys#PRICE}; the request's records (analytics, spans, {@code x-gateway-cost}) cost its usage with it.
 *
 * @param inputCost the price of {@code perTokens} input tokens
 * @param outputCost the price of {@code perTokens} output tokens
 * @param perTokens how many tokens the prices are for
 */
public record Pricing(double inputCost, double outputCost, long perTokens) {

    /** The Rust gateway's price for a model without one: $0.01 per 1K input tokens, $0.03 per 1K output tokens. */
    public static final Pricing RUST_DEFAULT = new Pricing(0.01, 0.03, 1000);

    public Pricing {
        if (perTokens < 1) {
            throw new IllegalArgumentException("per_tokens: expected at least 1");
        }
        if (inputCost < 0 || outputCost < 0) {
            throw new IllegalArgumentException("input_cost and output_cost may not be negative");
        }
    }

    /** Reads a {@code pricing} table; throws {@link IllegalArgumentException} naming what is wrong. */
    public static Pricing parse(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a table");
        }
        // budapp writes input_cost / output_cost; TensorZero-style files are seen with input / output.
        return new Pricing(number(node, node.has("input_cost") ? "input_cost" : "input"),
                number(node, node.has("output_cost") ? "output_cost" : "output"), node.path("per_tokens").asLong(1_000));
    }

    private static double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText()); // budapp writes Decimal prices as strings at times
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException(field + ": expected a number");
    }

    public double cost(long inputTokens, long outputTokens) {
        return (inputTokens * inputCost + outputTokens * outputCost) / perTokens;
    }

    public double cost(Usage usage) {
        return usage == null ? 0 : cost(usage.inputTokens(), usage.outputTokens());
    }
}
