#!/usr/bin/env python3
"""Reads lines 'ttfb_s ttlb_s' (curl -w) and prints: count p50/p99 TTFB and p50/p99 TTLB (ms)."""
import sys

ttfb, ttlb = [], []
for line in sys.stdin:
    parts = line.split()
    if len(parts) == 2:
        ttfb.append(float(parts[0]) * 1000)
        ttlb.append(float(parts[1]) * 1000)
ttfb.sort()
ttlb.sort()


def pct(values, p):
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


print(f"{len(ttfb)} {pct(ttfb, .5):.3f} {pct(ttfb, .99):.3f} {pct(ttlb, .5):.3f} {pct(ttlb, .99):.3f}")
