package dev.budgateway.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.linecorp.armeria.client.UnprocessedRequestException;
import dev.budgateway.plugins.spi.GatewayError;
import io.netty.channel.unix.Errors;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How a failure to reach an upstream at all is told to the client. */
class UpstreamErrorsTest {

    @Test
    void aGatewayOutOfFilesIsA503ToRetryNotAnUnreachableUpstream() {
        io.netty.channel.epoll.Epoll.ensureAvailability(); // the native errors need the transport's library
        // What Armeria hands back when the socket for a new connection cannot be made (EMFILE).
        Throwable t = new CompletionException(UnprocessedRequestException.of(
                new Errors.NativeIoException("newSocketStream(..)", -24)));
        GatewayError e = UpstreamErrors.fromThrowable("up", t, 1000);
        assertEquals(503, e.status());
        assertEquals("overloaded", e.code());
        assertEquals("1", e.headers().get("retry-after"));
        assertEquals(503, UpstreamErrors.fromThrowable("up", UnprocessedRequestException.of(
                new Errors.NativeIoException("socket", -23)), 1000).status(), "the system's table full (ENFILE)");
    }

    @Test
    void aRefusedConnectionIsAnUnreachableUpstream() {
        GatewayError e = UpstreamErrors.fromThrowable("up", UnprocessedRequestException.of(
                new java.net.ConnectException("Connection refused")), 1000);
        assertEquals(502, e.status());
        assertEquals("upstream_unreachable", e.code());
        assertEquals("Could not connect to provider 'up'", e.message());
    }
}
