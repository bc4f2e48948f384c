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
 * @param upstreamLimits how much an upstream answer may hold
 * @param requestBodyTimeoutMs how long a client may take to send its request body; then 408
 * @param idleTimeoutMs how long a connection may go without a request in progress (this also bounds a
 *     client that never finishes sending its request headers); then it is closed
 * @param shutdownGraceMs on SIGTERM, how long in-flight requests and streams may take to finish
 * @param metricsPort a second port that serves only {@code /metrics}, or {@code null} for none
 * @param maxConcurrentRequests how many requests may be in the gateway at once (more get a 503), or 0 for a
 *     default from the heap and the open-file limit
 */
public record GatewaySettings(
        String bindAddress,
        Path pluginsDir,
        long maxBodyBytes,
        int eventLoops,
        long globalTimeoutMs,
        long connectTimeoutMs,
        long maxUploadBytes,
        UpstreamLimits upstreamLimits,
        long requestBodyTimeoutMs,
        long idleTimeoutMs,
        long shutdownGraceMs,
        Integer metricsPort,
        int maxConcurrentRequests) {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0:3000";
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
    /** OpenAI's own limit for audio files. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 25L * 1024 * 1024;
    public static final long DEFAULT_GLOBAL_TIMEOUT_MS = 15L * 60 * 1000;
    /** Long enough for a burst of new connections to get past a full accept queue (SYN retries at 1 s, 3 s). */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    /** A 25 MB upload over a slow (1 Mbit/s) link takes ~200 s. */
    public static final long DEFAULT_REQUEST_BODY_TIMEOUT_MS = 300_000;
    /** Armeria's own default; SDKs keep connections alive for less. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 10_000;
    /** Kubernetes' default termination grace period is 30 s: finish within it. */
    public static final long DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

    public static GatewaySettings defaults() {
        return new GatewaySettings(DEFAULT_BIND_ADDRESS, Path.of("plugins"), DEFAULT_MAX_BODY_BYTES,
                Runtime.getRuntime().availableProcessors(), DEFAULT_GLOBAL_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS,
                DEFAULT_MAX_UPLOAD_BYTES, UpstreamLimits.DEFAULTS, DEFAULT_REQUEST_BODY_TIMEOUT_MS,
                DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_SHUTDOWN_GRACE_MS, null, 0);
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
