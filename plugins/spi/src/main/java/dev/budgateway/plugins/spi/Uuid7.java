package dev.budgateway.plugins.spi;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7s (RFC 9562): the time in milliseconds first, so ids sort by time in ClickHouse; the rest random. The ids
 * name records, they guard nothing: a thread's own generator, not a shared secure one (whose lock and reads of the
 * kernel's pool cost a request several per-cent of its time).
 */
public final class Uuid7 {

    private Uuid7() {}

    public static UUID at(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (epochMillis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

    public static UUID now() {
        return at(System.currentTimeMillis());
    }
}
