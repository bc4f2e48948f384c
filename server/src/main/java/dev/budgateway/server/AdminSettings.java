package dev.budgateway.server;

/**
 * {@code [admin]}: who may read {@code /admin/*} (and, if asked, {@code /metrics}).
 *
 * @param keyDigest the SHA-256 of the admin key, or {@code null} when none is configured
 * @param protectMetrics whether {@code /metrics} needs the admin key too (it is open by default, for scrapers)
 */
record AdminSettings(byte[] keyDigest, boolean protectMetrics) {

    static final AdminSettings NONE = new AdminSettings(null, false);
}
