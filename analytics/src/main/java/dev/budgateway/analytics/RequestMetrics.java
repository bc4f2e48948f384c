package dev.budgateway.analytics;

import dev.budgateway.plugins.spi.Completion;
import dev.budgateway.plugins.spi.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Metrics of finished exchanges and of filters. Tag values come only from sets bounded by the config
 * (model and provider names, endpoints, statuses), never from keys, users or addresses. Meters are
 * looked up once per tag combination and then reused.
 */
public final class RequestMetrics {

    private static final Duration[] LATENCY_SLOS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)
    };

    private final MeterRegistry registry;
    private final Map<RequestTags, RequestMeters> requestMeters = new ConcurrentHashMap<>();
    /** Per filter name, its timers in the order of {@link #OUTCOMES}: no allocation per request. */
    private final Map<String, Timer[]> filterTimers = new ConcurrentHashMap<>();

    private static final String[] OUTCOMES = {"continue", "reject", "respond", "error", "timeout", "cancelled"};

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private record RequestTags(String endpoint, String model, String provider, int status) {}

    private record RequestMeters(Counter requests, Timer duration, Timer ttft, Counter inputTokens,
            Counter outputTokens, Counter upstreamErrors, Counter extraAttempts, Timer processing, Counter cost) {}

    /**
     * Records one finished exchange.
     *
     * @param model a configured model name, or a bounded stand-in such as {@code openai::*}
     * @param provider the provider that served (or failed last), or {@code none}
     * @param cost what its usage cost, or {@code null}
     * @param processingNanos the gateway's own share of its time: its duration less its upstream attempts'
     */
    public void record(String endpoint, String model, String provider, boolean streaming, Completion completion,
            Double cost, long processingNanos) {
        RequestMeters m = requestMeters.computeIfAbsent(new RequestTags(endpoint, model, provider, completion.status()),
                this::meters);
        m.requests.increment();
        m.duration.record(completion.durationNanos(), TimeUnit.NANOSECONDS);
        if (streaming && completion.firstChunkNanos() >= 0) {
            m.ttft.record(completion.firstChunkNanos(), TimeUnit.NANOSECONDS);
        }
        Usage usage = completion.usage();
        if (usage != null) {
            m.inputTokens.increment(usage.inputTokens());
            m.outputTokens.increment(usage.outputTokens());
        }
        if (completion.error() != null && completion.status() >= 500 && completion.attempts() > 0) {
            m.upstreamErrors.increment();
        }
        if (cost != null && cost > 0) {
            m.cost.increment(cost);
        }
        if (completion.attempts() > 0) {
            m.processing.record(processingNanos, TimeUnit.NANOSECONDS);
        }
        if (completion.attempts() > 1) {
            // Retries and fallbacks that this request needed: what a provider's trouble cost, even when the
            // client never noticed.
            m.extraAttempts.increment(completion.attempts() - 1);
        }
    }

    /** Records one filter's decision and how long it took. */
    public void recordFilter(String filter, String outcome, long nanos) {
        Timer[] timers = filterTimers.computeIfAbsent(filter, this::filterTimers);
        int i = switch (outcome) {
            case "continue" -> 0;
            case "reject" -> 1;
            case "respond" -> 2;
            case "timeout" -> 4;
            case "cancelled" -> 5;
            default -> 3;
        };
        timers[i].record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer[] filterTimers(String filter) {
        Timer[] timers = new Timer[OUTCOMES.length];
        for (int i = 0; i < OUTCOMES.length; i++) {
            timers[i] = Timer.builder("budgateway.filter.duration")
                    .description("Time a filter took to decide on a request")
                    .tag("filter", filter)
                    .tag("outcome", OUTCOMES[i])
                    .register(registry);
        }
        return timers;
    }

    private RequestMeters meters(RequestTags t) {
        String status = Integer.toString(t.status());
        return new RequestMeters(
                Counter.builder("budgateway.requests")
                        .description("Requests answered, by endpoint, model, provider and status")
                        .tags("endpoint", t.endpoint(), "model", t.model(), "provider", t.provider(), "status", status)
                        .register(registry),
                Timer.builder("budgateway.request.duration")
                        .description("Time from a request's arrival to the end of its response")
                        .tags("endpoint", t.endpoint(), "model", t.model(), "provider", t.provider())
                        .serviceLevelObjectives(LATENCY_SLOS)
                        .register(registry),
                Timer.builder("gen_ai.server.time_to_first_token")
                        .description("Time from a streaming request's arrival to its first chunk")
                        .tags("model", t.model(), "provider", t.provider())
                        .serviceLevelObjectives(LATENCY_SLOS)
                        .register(registry),
                Counter.builder("gen_ai.client.token.usage")
                        .description("Tokens reported by providers")
                        .tags("model", t.model(), "provider", t.provider(), "gen_ai.token.type", "input")
                        .register(registry),
                Counter.builder("gen_ai.client.token.usage")
                        .description("Tokens reported by providers")
                        .tags("model", t.model(), "provider", t.provider(), "gen_ai.token.type", "output")
                        .register(registry),
                Counter.builder("budgateway.upstream.errors")
                        .description("Requests that ended in an upstream failure (5xx, connection, timeout)")
                        .tags("model", t.model(), "provider", t.provider(), "status", status)
                        .register(registry),
                Counter.builder("budgateway.request.extra.attempts")
                        .description("Attempts beyond the first (retries and fallbacks), by the provider that "
                                + "finally answered and the request's status")
                        .tags("model", t.model(), "provider", t.provider(), "status", status)
                        .register(registry),
                Timer.builder("budgateway.gateway.processing")
                        .description("The gateway's own share of a request that reached an upstream: its duration "
                                + "less its upstream attempts' (the Rust gateway's gateway_processing_seconds)")
                        .tags("endpoint", t.endpoint(), "status", status)
                        .serviceLevelObjectives(LATENCY_SLOS)
                        .register(registry),
                Counter.builder("budgateway.cost")
                        .description("What requests' usage cost at their models' prices, in the prices' currency")
                        .tags("model", t.model(), "provider", t.provider())
                        .register(registry));
    }
}
