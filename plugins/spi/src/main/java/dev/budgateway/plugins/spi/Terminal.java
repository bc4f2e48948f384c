package dev.budgateway.plugins.spi;

import java.util.concurrent.CompletionStage;

/** The end of the chain: sends the request to the provider of the attempt's target. Supplied by the host. */
@FunctionalInterface
public interface Terminal {

    CompletionStage<Response> call(Exchange exchange);
}
