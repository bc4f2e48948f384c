package dev.budgateway.config;

import java.nio.file.Path;

/**
 * The {@code [gateway]} table.
 *
 * @param bindAddress {@code host:port} to listen on
 * @param pluginsDir where plugin jars are looked for
 * @param maxBodyBytes the largest request body accepted; larger gets 413
 * @param eventLoops threads serving requests and upstream calls (one group shared by both)
 * @param globalTimeoutMs a cap on every upstream call
 * @param connectTimeoutMs how long to wait for a TCP connection to an upstream
 * @param maxUploadBytes the largest multipart upload (audio, images) accepted; larger gets 413
 */
public record GatewaySettings(
        String bindAddress,
        Path pluginsDir,
        long maxBodyBytes,
        int eventLoops,
        long globalTimeoutMs,
        long connectTimeoutMs,
        long maxUploadBytes) {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0:3000";
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
    /** OpenAI's own limit for audio files. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 25L * 1024 * 1024;
    public static final long DEFAULT_GLOBAL_TIMEOUT_MS = 15L * 60 * 1000;
    /** Long enough for a burst of new connections to get past a full accept queue (SYN retries at 1 s, 3 s). */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

    public static GatewaySettings defaults() {
        return new GatewaySettings(DEFAULT_BIND_ADDRESS, Path.of("plugins"), DEFAULT_MAX_BODY_BYTES,
                Runtime.getRuntime().availableProcessors(), DEFAULT_GLOBAL_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS,
                DEFAULT_MAX_UPLOAD_BYTES);
    }

    public String host() {
        int colon = bindAddress.lastIndexOf(':');
        String host = bindAddress.substring(0, colon);
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return Integer.parseInt(bindAddress.substring(bindAddress.lastIndexOf(':') + 1));
    }
}
