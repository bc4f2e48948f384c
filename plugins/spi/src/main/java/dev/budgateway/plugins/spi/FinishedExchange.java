package dev.budgateway.plugins.spi;

/**
 * One exchange that has ended, as a {@link CompletionSink} sees it.
 *
 * @param requestId the id the client got back in {@code x-request-id}
 * @param api the API the client called: {@code chat}, {@code messages}, {@code embeddings}, ...
 * @param stream whether a stream was asked for
 * @param exchange the exchange, with every key the chain set; {@code null} when the request was refused
 *     before the chain (unreadable, too large, invalid)
 * @param completion how it ended
 */
public record FinishedExchange(String requestId, String api, boolean stream, Exchange exchange,
        Completion completion) {}
