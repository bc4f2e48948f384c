package dev.budgateway.filters.clientinfo;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A set of IPv4 and IPv6 addresses and CIDR blocks, merged into sorted, disjoint ranges: a lookup is a
 * binary search, whatever the number of entries. IPv4-mapped IPv6 addresses ({@code ::ffff:1.2.3.4}) are
 * looked up as IPv4.
 */
public final class IpRanges {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final BigInteger V6_MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    /** IPv4: starts and ends as unsigned 32-bit values. */
    private final long[] v4Starts;
    private final long[] v4Ends;
    /** IPv6: 128-bit values. */
    private final BigInteger[] v6Starts;
    private final BigInteger[] v6Ends;

    private IpRanges(long[] v4Starts, long[] v4Ends, BigInteger[] v6Starts, BigInteger[] v6Ends) {
        this.v4Starts = v4Starts;
        this.v4Ends = v4Ends;
        this.v6Starts = v6Starts;
        this.v6Ends = v6Ends;
    }

    public static final IpRanges EMPTY = new IpRanges(new long[0], new long[0], new BigInteger[0], new BigInteger[0]);

    /**
     * The set of {@code entries} (addresses or {@code address/prefix}).
     *
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static IpRanges of(Collection<String> entries) {
        List<long[]> v4 = new ArrayList<>();
        List<BigInteger[]> v6 = new ArrayList<>();
        for (String entry : entries) {
            Cidr c = Cidr.parse(entry);
            if (c.v4()) {
                v4.add(new long[] {c.start().longValue(), c.end().longValue()});
            } else {
                v6.add(new BigInteger[] {c.start(), c.end()});
            }
        }
        v4.sort(Comparator.comparingLong(r -> r[0]));
        v6.sort(Comparator.comparing(r -> r[0]));
        List<long[]> m4 = new ArrayList<>();
        for (long[] r : v4) {
            long[] last = m4.isEmpty() ? null : m4.get(m4.size() - 1);
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                m4.add(r.clone());
            }
        }
        List<BigInteger[]> m6 = new ArrayList<>();
        for (BigInteger[] r : v6) {
            BigInteger[] last = m6.isEmpty() ? null : m6.get(m6.size() - 1);
            if (last != null && r[0].compareTo(last[1].add(BigInteger.ONE)) <= 0) {
                last[1] = last[1].max(r[1]);
            } else {
                m6.add(r.clone());
            }
        }
        return new IpRanges(m4.stream().mapToLong(r -> r[0]).toArray(), m4.stream().mapToLong(r -> r[1]).toArray(),
                m6.stream().map(r -> r[0]).toArray(BigInteger[]::new), m6.stream().map(r -> r[1])
                        .toArray(BigInteger[]::new));
    }

    /** One address or CIDR block as the range [start, end] of its family's integers. */
    public record Cidr(boolean v4, BigInteger start, BigInteger end) {

        /** @throws IllegalArgumentException naming {@code entry} when it is neither an address nor a CIDR block */
        public static Cidr parse(String entry) {
            String e = entry.strip();
            int slash = e.indexOf('/');
            InetAddress address = IpRanges.parse(slash < 0 ? e : e.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR block");
            }
            byte[] bytes = address.getAddress();
            int bits = bytes.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0-" + bits);
                }
            }
            BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
            BigInteger start = new BigInteger(1, bytes).andNot(hostMask);
            return new Cidr(bytes.length == 4, start, start.or(hostMask));
        }
    }

    public boolean isEmpty() {
        return v4Starts.length == 0 && v6Starts.length == 0;
    }

    public boolean contains(InetAddress address) {
        byte[] b = bytesOf(address);
        if (b.length == 4) {
            long v = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
            int i = Arrays.binarySearch(v4Starts, v);
            int at = i >= 0 ? i : -i - 2;
            return at >= 0 && v <= v4Ends[at];
        }
        if (v6Starts.length == 0) {
            return false;
        }
        BigInteger v = new BigInteger(1, b);
        int i = Arrays.binarySearch(v6Starts, v);
        int at = i >= 0 ? i : -i - 2;
        return at >= 0 && v.compareTo(v6Ends[at]) <= 0 && v.compareTo(V6_MAX) <= 0;
    }

    /** The address's bytes, an IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) as its four IPv4 bytes. */
    public static byte[] bytesOf(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 16 && isV4Mapped(b) ? Arrays.copyOfRange(b, 12, 16) : b;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    /**
     * An address literal, or {@code null} when {@code text} is none. Never a DNS lookup: only dotted IPv4 and
     * text with a colon (IPv6) reach {@link InetAddress}, which parses literals without resolving them.
     */
    public static InetAddress parse(String text) {
        String t = text.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isEmpty() || t.length() > 45) {
            return null;
        }
        boolean v4 = IPV4.matcher(t).matches();
        if (v4) {
            for (String octet : t.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null; // else InetAddress would take it for a host name and ask DNS
                }
            }
        } else if (t.indexOf(':') < 0 || t.indexOf('%') >= 0) {
            return null;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                return null;
            }
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
