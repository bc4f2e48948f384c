package dev.budgateway.providers.bedrock;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** AWS Signature Version 4 for one service in one region, over request headers. */
public final class SigV4Signer {

    public static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    /** Where the signature comes from. {@code sessionToken} is {@code null} for long-term keys. */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        @Override
        public String toString() {
            return "Credentials[" + accessKeyId + ", ***]";
        }
    }

    private final String region;
    private final String service;

    public SigV4Signer(String region, String service) {
        this.region = region;
        this.service = service;
    }

    /**
     * The {@code Authorization} header value.
     *
     * @param canonicalUri the path as signed (for services other than S3: each segment URI-encoded again)
     * @param canonicalQuery the query with names sorted and values encoded, or {@code ""}
     * @param headers the headers to sign, including {@code host} and {@code x-amz-date}
     */
    public String authorization(String method, String canonicalUri, String canonicalQuery, Map<String, String> headers,
            String payloadSha256Hex, Credentials credentials, ZonedDateTime time) {
        SortedMap<String, String> sorted = new TreeMap<>();
        headers.forEach((k, v) -> sorted.put(k.toLowerCase(java.util.Locale.ROOT), v.strip().replaceAll("\\s+", " ")));
        StringBuilder canonicalHeaders = new StringBuilder();
        sorted.forEach((k, v) -> canonicalHeaders.append(k).append(':').append(v).append('\n'));
        String signedHeaders = String.join(";", sorted.keySet());
        String canonicalRequest = method + "\n" + canonicalUri + "\n" + canonicalQuery + "\n" + canonicalHeaders
                + "\n" + signedHeaders + "\n" + payloadSha256Hex;
        String amzDate = AMZ_DATE.format(time);
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = HEX.formatHex(hmac(key, stringToSign));
        return "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId() + "/" + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature;
    }

    /**
     * The canonical form of a path already encoded for the wire: every segment encoded once more, as SigV4
     * requires for every service but S3 ({@code v1%3A0} is signed as {@code v1%253A0}).
     */
    public static String canonicalUri(String wirePath) {
        String[] segments = wirePath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            segments[i] = encode(segments[i]);
        }
        String out = String.join("/", segments);
        return out.isEmpty() ? "/" : out;
    }

    /** RFC 3986 encoding: everything but unreserved characters, as SigV4 defines it. */
    public static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    public static String sha256Hex(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
