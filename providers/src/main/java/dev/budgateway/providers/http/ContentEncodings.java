package dev.budgateway.providers.http;

import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.providers.UpstreamErrors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * A unary answer compressed although the gateway asked for none (it sends no {@code accept-encoding}):
 * gzip and deflate are decoded, within the body limit (a small zip can unpack to gigabytes); anything
 * else is refused. Passed on as it came, without its {@code content-encoding}, it would be garbage to the
 * client.
 */
final class ContentEncodings {

    private ContentEncodings() {}

    /** {@code body} decoded; as it is for no encoding or {@code identity}. */
    static byte[] decode(String encoding, byte[] body, long maxBytes, String provider) {
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return body;
        }
        try (InputStream in = switch (encoding.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "gzip", "x-gzip" -> new GZIPInputStream(new ByteArrayInputStream(body));
            case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(body));
            default -> throw new GatewayException(GatewayError.badGateway("Provider '" + provider
                    + "' answered with content-encoding " + encoding + ", which the gateway does not decode"));
        }) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 4);
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > maxBytes) {
                    throw new GatewayException(UpstreamErrors.tooLarge(provider, "max_upstream_body_bytes"));
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new GatewayException(GatewayError.badGateway("Provider '" + provider + "' sent a "
                    + encoding + " body that could not be decoded"));
        }
    }
}
