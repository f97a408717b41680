"""Time to detect, mitigate and resolve, as median and 90th percentile.

Means mislead on incident durations (one three-day incident outweighs thirty
short ones), so only quantiles are reported, each with its count: an
incident without `detected_at` has no time to detect and is not counted for
it. Every duration runs from `started_at`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..core.model import Postmortem
from .quantiles import DurationSummary, summarise

METRICS: tuple[tuple[str, str], ...] = (
    ("detect", "Time to detect"),
    ("mitigate", "Time to mitigate"),
    ("resolve", "Time to resolve"),
)


def metric_value(pm: Postmortem, metric: str) -> dt.timedelta | None:
    if metric == "detect":
        return pm.time_to_detect
    if metric == "mitigate":
        return pm.time_to_mitigate
    if metric == "resolve":
        return pm.time_to_resolve
    raise ValueError(f"unknown metric {metric!r}")


@dataclass(frozen=True, slots=True)
class DurationRow:
    """One group (a severity, a category...) and its summaries per metric."""

    key: str
    label: str
    incidents: int
    metrics: dict[str, DurationSummary]


def duration_rows(
    postmortems: Iterable[Postmortem],
    groups: Sequence[tuple[str, str]],
    keys: Callable[[Postmortem], Iterable[str]],
) -> list[DurationRow]:
    """A row for each (key, label) of `groups`, in that order, zero groups included."""
    samples: dict[str, dict[str, list[dt.timedelta]]] = {
        key: {m: [] for m, _ in METRICS} for key, _ in groups
    }
    counts = dict.fromkeys(samples, 0)
    for pm in postmortems:
        for key in dict.fromkeys(keys(pm)):
            bucket = samples.get(key)
            if bucket is None:
                continue
            counts[key] += 1
            for metric, _ in METRICS:
                value = metric_value(pm, metric)
                if value is not None:
                    bucket[metric].append(value)
    return [
        DurationRow(key, label, counts[key], {m: summarise(samples[key][m]) for m, _ in METRICS})
        for key, label in groups
    ]


def overall(postmortems: Iterable[Postmortem]) -> DurationRow:
    return duration_rows(postmortems, [("all", "All incidents")], lambda pm: ("all",))[0]
