"""Median and percentiles by linear interpolation between closest ranks.

This is Hyndman and Fan's definition 7: the default of numpy.percentile, of
R's quantile(), of Excel's PERCENTILE.INC and of
`statistics.quantiles(method="inclusive")`; its median is the usual one (the
mean of the two middle values when the count is even), so anyone can check a
figure with the tool at hand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """The `q` quantile (0..1) of values already sorted ascending; ValueError when empty."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be between 0 and 1, not {q}")
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] + fraction * (sorted_values[high] - sorted_values[low])


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    return quantile(ordered, 0.5) if ordered else None


def percentile(values: Iterable[float], p: float) -> float | None:
    """The `p`th percentile (0..100), or None for no values."""
    ordered = sorted(values)
    return quantile(ordered, p / 100.0) if ordered else None


@dataclass(frozen=True, slots=True)
class DurationSummary:
    """Median and 90th percentile of some durations, with how many there were."""

    count: int
    median: dt.timedelta | None
    p90: dt.timedelta | None

    @property
    def median_seconds(self) -> float | None:
        return self.median.total_seconds() if self.median is not None else None

    @property
    def p90_seconds(self) -> float | None:
        return self.p90.total_seconds() if self.p90 is not None else None


def summarise(durations: Iterable[dt.timedelta]) -> DurationSummary:
    seconds = sorted(d.total_seconds() for d in durations)
    if not seconds:
        return DurationSummary(0, None, None)
    return DurationSummary(
        len(seconds),
        dt.timedelta(seconds=quantile(seconds, 0.5)),
        dt.timedelta(seconds=quantile(seconds, 0.9)),
    )
