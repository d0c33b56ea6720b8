"""Histograms of durations in whole minutes: what daily rollups keep so that medians and
percentiles stay exact at every level (site, region, nation) and for every period.

A histogram is a list of counts; index m counts the durations d with m ≤ d/60 < m + 1, and the
last index `CAP` counts every duration of CAP minutes or more. Summing two histograms bin by
bin gives the histogram of the two samples together, so percentiles are recomputed from the
merged counts, never averaged. Stored as text (comma-separated, trailing zeros trimmed).
"""

CAP = 240


def bin_of(seconds: int) -> int:
    return min(seconds // 60, CAP)


def decode(text: str) -> list[int]:
    return [int(c) for c in text.split(",")] if text else []


def encode(counts: list[int]) -> str:
    end = len(counts)
    while end and not counts[end - 1]:
        end -= 1
    return ",".join(map(str, counts[:end]))


def add_count(into: list[int], m: int, count: int) -> None:
    """Add `count` durations of bin `m` to `into` (extended as needed)."""
    if m >= len(into):
        into.extend([0] * (m + 1 - len(into)))
    into[m] += count


def add(into: list[int], other: list[int]) -> list[int]:
    """`into` plus `other`, bin by bin (`into` is extended and returned)."""
    if len(other) > len(into):
        into.extend([0] * (len(other) - len(into)))
    for m, count in enumerate(other):
        if count:
            into[m] += count
    return into


def percentile(counts: list[int], p: int) -> int | None:
    """The nearest-rank p-th percentile in whole minutes: the smallest m such that at least
    p % of the sample lasted m minutes or less (the median is the lower median). None when the
    histogram is empty."""
    n = sum(counts)
    if not n:
        return None
    rank = max(1, -(-p * n // 100))  # ceil(p·n/100) in integers: 0.9 × 10 is not 9.0…02
    seen = 0
    for m, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return m
    raise AssertionError("unreachable: rank ≤ n")
