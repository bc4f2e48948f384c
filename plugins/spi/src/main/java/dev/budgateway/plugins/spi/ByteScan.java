package dev.budgateway.plugins.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finding a byte in a byte array eight at a time: every streamed token's bytes are searched for line breaks
 * and quotes, and a loop over single bytes cost a branch or four per byte. A word with a byte equal to
 * {@code v} has a zero byte in {@code word ^ v*0x01..01}; the usual test for a zero byte marks it (and can
 * only mark bytes above a real match falsely, so the lowest mark is exact).
 */
public final class ByteScan {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private ByteScan() {}

    /** The first index in {@code [from, to)} holding {@code b}, or -1. */
    public static int indexOf(byte[] bytes, int from, int to, byte b) {
        long pattern = ONES * (b & 0xff);
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long marks = zeroBytes((long) LONGS.get(bytes, i) ^ pattern);
            if (marks != 0) {
                return i + (Long.numberOfTrailingZeros(marks) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The first index in {@code [from, to)} holding {@code a} or {@code b}, or -1. */
    public static int indexOfEither(byte[] bytes, int from, int to, byte a, byte b) {
        long patternA = ONES * (a & 0xff);
        long patternB = ONES * (b & 0xff);
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = (long) LONGS.get(bytes, i);
            long marks = zeroBytes(word ^ patternA) | zeroBytes(word ^ patternB);
            if (marks != 0) {
                return i + (Long.numberOfTrailingZeros(marks) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (bytes[i] == a || bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The high bit of each zero byte of {@code x} set, with false marks possible only above a true one. */
    private static long zeroBytes(long x) {
        return (x - ONES) & ~x & HIGHS;
    }
}
