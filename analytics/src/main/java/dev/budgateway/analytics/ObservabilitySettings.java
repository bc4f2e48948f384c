package dev.budgateway.analytics;

import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FinishedExchange;
import dev.budgateway.plugins.spi.Keys;
import dev.budgateway.plugins.spi.Pricing;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.plugins.spi.UpstreamAttempt;
import dev.budgateway.plugins.spi.Usage;
import java.util.Map;

/**
 * What the gateway records beyond metrics: {@code [observability]} and the Rust gateway's flags.
 *
 * @param costHeader whether a non-streamed answer carries its cost in {@code x-gateway-cost}
 * @param traces whether spans are exported over OTLP: {@code [gateway.export.otlp.traces] enabled} or
 *     {@code [observability] traces}; {@code null} when the file does not say (then the OTLP environment decides)
 * @param prices the file's {@code [models.X] pricing}, by model, for requests no filter priced
 */
public record ObservabilitySettings(boolean costHeader, Boolean traces, Map<String, Pricing> prices) {

    public static final ObservabilitySettings DEFAULT = new ObservabilitySettings(false, null, Map.of());

    public ObservabilitySettings {
        prices = Map.copyOf(prices);
    }

    /**
     * The price of a request's tokens: what a filter set ({@link Keys#PRICE}, the control plane's price, say), else
     * the file's for the model that served it or the one asked for; {@code null} when nothing prices it.
     */
    public Pricing priceOf(Exchange exchange, RouteTarget servedBy) {
        if (exchange == null) {
            return null;
        }
        Pricing set = exchange.get(Keys.PRICE);
        if (set != null) {
            return set;
        }
        Pricing p = servedBy == null ? null : prices.get(servedBy.model());
        return p != null ? p : prices.get(exchange.get(Keys.MODEL));
    }

    /** What the request's usage cost, or {@code null} without a price or a usage. */
    public Double costOf(FinishedExchange f) {
        return cost(priceOf(f.exchange(), f.completion().servedBy()), f.completion().usage());
    }

    /** What an attempt's usage cost, or {@code null}. */
    public Double costOf(FinishedExchange f, UpstreamAttempt a) {
        return cost(priceOf(f.exchange(), a.target()), a.usage());
    }

    public static Double cost(Pricing price, Usage usage) {
        return price == null || usage == null ? null : price.cost(usage);
    }
}
