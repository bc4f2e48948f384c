package dev.budgateway.server;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.budgateway.filters.auth.KeyHash;
import dev.budgateway.filters.auth.PresentedCredential;
import dev.budgateway.plugins.spi.GatewayError;
import java.security.MessageDigest;

/**
 * Guards {@code /admin/*} (and {@code /metrics} when {@code [admin] protect_metrics}): the admin key as
 * {@code Authorization: Bearer} or {@code x-api-key}, compared as SHA-256 digests in constant time. Without an
 * admin key, the admin endpoints stay as open as the rest of the gateway: open when nothing authenticates
 * callers, closed (403) when the chain has an {@code auth} filter, since an API that checks keys must not leave
 * its admin side open.
 */
final class AdminGuard implements DecoratingHttpServiceFunction {

    private final AdminSettings settings;
    private final boolean callersAuthenticated;

    AdminGuard(AdminSettings settings, boolean callersAuthenticated) {
        this.settings = settings;
        this.callersAuthenticated = callersAuthenticated;
    }

    boolean guards(String path) {
        return path.startsWith("/admin/") || (settings.protectMetrics() && path.equals("/metrics"));
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        if (!guards(ctx.path())) {
            return delegate.serve(ctx, req);
        }
        if (settings.keyDigest() == null) {
            return callersAuthenticated ? ErrorResponses.of(GatewayError.forbidden("admin_key_not_configured",
                    "The admin endpoints need an admin key: set [admin] key"), null).toHttpResponse()
                    : delegate.serve(ctx, req);
        }
        String presented = PresentedCredential.of(req.headers()::get);
        if (presented == null) {
            return ErrorResponses.of(GatewayError.unauthorized("Missing authorization header"), null).toHttpResponse();
        }
        if (!MessageDigest.isEqual(settings.keyDigest(), KeyHash.sha256(presented))) {
            return ErrorResponses.of(GatewayError.unauthorized("Invalid admin key"), null).toHttpResponse();
        }
        return delegate.serve(ctx, req);
    }
}
