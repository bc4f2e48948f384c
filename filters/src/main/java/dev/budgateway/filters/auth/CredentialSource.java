package dev.budgateway.filters.auth;

import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FilterResult;

/** One place credentials are looked up: the control plane's keys, the file's keys, an identity provider's tokens. */
interface CredentialSource {

    /**
     * Decides the request if this source knows the credential: the identity and grants written to the
     * exchange and {@link FilterResult#CONTINUE}, or a rejection; {@code null} when the credential is not
     * this source's, so the next one is asked.
     */
    FilterResult authenticate(String credential, Exchange exchange);
}
