package dev.budgateway.filters.auth;

import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterResult;
import java.util.List;

/**
 * Finds the caller's credential ({@code Authorization: Bearer <key>}, as OpenAI SDKs send it, or
 * {@code x-api-key}, as Anthropic's do) and asks each source in order; the first that knows it decides.
 * Nothing here reads a client-sent {@code x-tensorzero-*} header: identity comes from the credential only.
 */
final class AuthFilter implements Filter {

    private final List<CredentialSource> sources;

    AuthFilter(List<CredentialSource> sources) {
        this.sources = List.copyOf(sources);
    }

    @Override
    public FilterResult onRequest(Exchange exchange) {
        String credential = PresentedCredential.of(exchange::header);
        if (credential == null) {
            return Decisions.MISSING;
        }
        for (CredentialSource source : sources) {
            FilterResult decided = source.authenticate(credential, exchange);
            if (decided != null) {
                return decided;
            }
        }
        return Decisions.INVALID;
    }
}
