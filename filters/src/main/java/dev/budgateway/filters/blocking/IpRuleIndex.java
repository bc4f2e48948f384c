package dev.budgateway.filters.blocking;

import dev.budgateway.filters.clientinfo.IpRanges;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Addresses and CIDR blocks of many rules, flattened into disjoint ranges that each name the rule of highest
 * priority covering them: a lookup is one binary search whatever the number of rules and entries.
 */
final class IpRuleIndex {

    /** One range as written: [start, end] and the rule it belongs to (its position in priority order). */
    private record Span(BigInteger start, BigInteger end, int rule) {}

    private final BigInteger[] v4Starts;
    private final BigInteger[] v4Ends;
    private final int[] v4Rules;
    private final BigInteger[] v6Starts;
    private final BigInteger[] v6Ends;
    private final int[] v6Rules;

    private IpRuleIndex(List<Span> v4, List<Span> v6) {
        v4Starts = v4.stream().map(Span::start).toArray(BigInteger[]::new);
        v4Ends = v4.stream().map(Span::end).toArray(BigInteger[]::new);
        v4Rules = v4.stream().mapToInt(Span::rule).toArray();
        v6Starts = v6.stream().map(Span::start).toArray(BigInteger[]::new);
        v6Ends = v6.stream().map(Span::end).toArray(BigInteger[]::new);
        v6Rules = v6.stream().mapToInt(Span::rule).toArray();
    }

    /** Collects the entries of each rule; rule numbers are positions in priority order (0 = highest). */
    static final class Builder {
        private final List<Span> v4 = new ArrayList<>();
        private final List<Span> v6 = new ArrayList<>();

        /** @throws IllegalArgumentException naming an entry that is neither an address nor a CIDR block */
        void add(String entry, int rule) {
            IpRanges.Cidr c = IpRanges.Cidr.parse(entry);
            (c.v4() ? v4 : v6).add(new Span(c.start(), c.end(), rule));
        }

        IpRuleIndex build() {
            return new IpRuleIndex(flatten(v4), flatten(v6));
        }

        /**
         * Disjoint ranges, each with the best rule over it: a sweep over the range boundaries keeping the active
         * rules ordered.
         */
        private static List<Span> flatten(List<Span> spans) {
            if (spans.isEmpty()) {
                return List.of();
            }
            TreeMap<BigInteger, List<Span>> opens = new TreeMap<>();
            TreeMap<BigInteger, List<Span>> closes = new TreeMap<>();
            for (Span s : spans) {
                opens.computeIfAbsent(s.start, k -> new ArrayList<>()).add(s);
                closes.computeIfAbsent(s.end.add(BigInteger.ONE), k -> new ArrayList<>()).add(s);
            }
            java.util.TreeSet<BigInteger> points = new java.util.TreeSet<>(opens.keySet());
            points.addAll(closes.keySet());
            TreeMap<Integer, Integer> active = new TreeMap<>(); // rule → how many of its spans are open
            List<Span> out = new ArrayList<>();
            BigInteger[] pts = points.toArray(new BigInteger[0]);
            for (int i = 0; i < pts.length; i++) {
                BigInteger p = pts[i];
                for (Span s : closes.getOrDefault(p, List.of())) {
                    active.merge(s.rule, -1, Integer::sum);
                    if (active.get(s.rule) == 0) {
                        active.remove(s.rule);
                    }
                }
                for (Span s : opens.getOrDefault(p, List.of())) {
                    active.merge(s.rule, 1, Integer::sum);
                }
                if (!active.isEmpty() && i + 1 < pts.length) {
                    int best = active.firstKey();
                    BigInteger end = pts[i + 1].subtract(BigInteger.ONE);
                    Span last = out.isEmpty() ? null : out.get(out.size() - 1);
                    if (last != null && last.rule == best && last.end.add(BigInteger.ONE).equals(p)) {
                        out.set(out.size() - 1, new Span(last.start, end, best));
                    } else {
                        out.add(new Span(p, end, best));
                    }
                }
            }
            return out;
        }
    }

    /** The best rule covering {@code address}, or -1. */
    int lookup(InetAddress address) {
        byte[] b = IpRanges.bytesOf(address);
        boolean v4 = b.length == 4;
        BigInteger v = new BigInteger(1, b);
        BigInteger[] starts = v4 ? v4Starts : v6Starts;
        int i = Arrays.binarySearch(starts, v);
        int at = i >= 0 ? i : -i - 2;
        if (at < 0) {
            return -1;
        }
        return v.compareTo((v4 ? v4Ends : v6Ends)[at]) <= 0 ? (v4 ? v4Rules : v6Rules)[at] : -1;
    }
}
