"""Token distances for ``near:``: the closest hits of every operand within one field.

A hit is a ``(first, stop)`` token range; the distance counts token steps from the end of the
first hit to the start of the last (adjacent tokens are 1 apart, overlapping hits 0).
"""

from __future__ import annotations

from bisect import bisect_left


def window_distance(ranges: list[list[tuple[int, int]]]) -> int | None:
    """Smallest window holding one hit of each list: last start minus first end, plus one."""
    if len(ranges) == 2:
        return min(_gap(a, b) for a in ranges[0] for b in ranges[1])
    best: int | None = None
    merged = sorted((r, k) for k, spans in enumerate(ranges) for r in spans)
    need = len(ranges)
    counts = [0] * need
    covered = 0
    left = 0
    for right in range(len(merged)):
        k = merged[right][1]
        counts[k] += 1
        covered += counts[k] == 1
        while covered == need:
            first, _ = merged[left]
            last, _ = merged[right]
            d = max(0, last[0] - first[1] + 1)
            if best is None or d < best:
                best = d
            counts[merged[left][1]] -= 1
            covered -= counts[merged[left][1]] == 0
            left += 1
    return best


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    first, last = (a, b) if a[0] <= b[0] else (b, a)
    return max(0, last[0] - first[1] + 1)


def ordered_distance(ranges: list[list[tuple[int, int]]]) -> int | None:
    """Smallest distance of a chain of hits in operand order, each starting after the previous."""
    best: int | None = None
    starts = [[r[0] for r in spans] for spans in ranges]
    for first in ranges[0]:
        current = first
        for k in range(1, len(ranges)):
            i = bisect_left(starts[k], current[1])
            if i == len(ranges[k]):
                break
            current = ranges[k][i]
        else:
            d = current[0] - first[1] + 1
            if best is None or d < best:
                best = d
    return best
