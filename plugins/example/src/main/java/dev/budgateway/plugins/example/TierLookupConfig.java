package dev.budgateway.plugins.example;

import java.util.Map;

/**
 * @param header the request header naming the user ({@code x-example-user} by default)
 * @param tiers each user's tier; unknown users are {@code free}, and {@code blocked} is refused
 * @param delayMs how long the (simulated) remote lookup takes, 20 ms by default
 */
public record TierLookupConfig(String header, Map<String, String> tiers, Long delayMs) {
    public TierLookupConfig {
        header = header == null ? "x-example-user" : header;
        tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
        delayMs = delayMs == null ? 20 : delayMs;
        if (delayMs < 0) {
            throw new IllegalArgumentException("delay_ms: must be at least 0, found " + delayMs);
        }
    }
}
