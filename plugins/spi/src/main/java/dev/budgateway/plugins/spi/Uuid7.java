package dev.budgateway.plugins.spi;

import java.security.SecureRandom;
import java.util.UUID;

/** UUIDv7s (RFC 9562): the time in milliseconds first, so ids sort by time in ClickHouse; the rest random. */
public final class Uuid7 {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Uuid7() {}

    public static UUID at(long epochMillis) {
        long high = (epochMillis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

    public static UUID now() {
        return at(System.currentTimeMillis());
    }
}
