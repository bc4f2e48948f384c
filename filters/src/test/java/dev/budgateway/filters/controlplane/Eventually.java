package dev.budgateway.filters.controlplane;

import java.util.function.BooleanSupplier;

/** For tests of what changes live (a record in Redis, a file on disk): a condition awaited up to a bound. */
public final class Eventually {

    private Eventually() {}

    /** Returns once {@code condition} holds; fails naming {@code what} if it does not within {@code ms}. */
    public static void within(long ms, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within " + ms + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }
}
