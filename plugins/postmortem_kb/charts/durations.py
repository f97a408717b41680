"""Median and 90th percentile of durations per group, on a log scale.

Incident durations run from seconds to weeks; a linear axis would squash all
but the longest into the first pixel. The median is a dot, the line runs on
to the 90th percentile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import datetime as dt

from ..render.formatting import duration
from .svg import FONT, Svg, chars_in, esc, fmt, label_column, with_count

TICKS: tuple[tuple[float, str], ...] = (
    (1, "1 s"), (10, "10 s"), (60, "1 min"), (300, "5 min"), (900, "15 min"), (3600, "1 h"),
    (4 * 3600, "4 h"), (12 * 3600, "12 h"), (86400, "1 d"), (3 * 86400, "3 d"), (7 * 86400, "1 w"),
    (28 * 86400, "4 w"), (91 * 86400, "13 w"), (365 * 86400, "1 y"), (5 * 365 * 86400, "5 y"),
)
RIGHT, TOP, ROW_H, BOTTOM, GAP = 16.0, 8.0, 12.0, 26.0, 8.0
LABEL_PAD = 14.0  # between the group labels' column and the plot
FLOOR = 1.0  # seconds: a zero duration is drawn at the left edge


@dataclass(frozen=True, slots=True)
class RangeRow:
    """One metric of a group: median and 90th percentile in seconds."""

    label: str  # "Time to detect"
    css: str  # colour class of the metric
    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True, slots=True)
class RangeGroup:
    """A severity or a category, with one row per metric."""

    label: str
    count: int  # incidents in the group
    rows: tuple[RangeRow, ...]


def _bounds(groups: Sequence[RangeGroup]) -> tuple[float, float]:
    values = [max(v, FLOOR) for g in groups for r in g.rows for v in (r.median, r.p90) if v is not None]
    low, high = min(values), max(values)
    # Widen to the ticks around the data so that at least two ticks show.
    low = max((t for t, _ in TICKS if t <= low), default=FLOOR)
    high = min((t for t, _ in TICKS if t >= high), default=high * 2)
    if high <= low:
        high = low * 10
    return low, high


def group_label(group: RangeGroup) -> str:
    return f"{group.label} ({group.count})"


def duration_ranges(chart_id: str, title: str, desc: str, groups: Sequence[RangeGroup], width: float = 720) -> str:
    """Every row drawn is a `rect.pmkb-range` (median to p90) plus a `circle.pmkb-range-median`."""
    lines = sum(max(len(g.rows), 1) for g in groups)
    height = TOP + ROW_H * max(lines, 1) + GAP * max(len(groups) - 1, 0) + BOTTOM
    svg = Svg(chart_id, width, height, title, desc, "pmkb-svg--ranges")
    if not any(r.median is not None for g in groups for r in g.rows):
        svg.message("No durations recorded in this range")
        return svg.render()
    low, high = _bounds(groups)
    left = label_column([group_label(g) for g in groups], LABEL_PAD)
    room = chars_in(left - LABEL_PAD)
    plot_w = width - left - RIGHT
    span = math.log10(high) - math.log10(low)

    def x_of(seconds: float) -> float:
        return left + plot_w * (math.log10(min(max(seconds, low), high)) - math.log10(low)) / span

    base = height - BOTTOM
    for tick, label in TICKS:
        if low <= tick <= high:
            x = x_of(tick)
            svg.line(x, TOP, x, base, "pmkb-svg-grid")
            svg.text(x, base + FONT + 6, label, "pmkb-svg-label", "middle")
    y = TOP
    for g, group in enumerate(groups):
        if g:
            y += GAP
            svg.line(8, y - GAP / 2, width - RIGHT, y - GAP / 2, "pmkb-svg-grid")
        # A long name is shortened, never its count; the full label is the tooltip.
        full = group_label(group)
        shown = with_count(group.label, group.count, room)
        svg.text(left - 8, y + ROW_H / 2 + FONT / 3, shown, "pmkb-svg-label", "end", tip=full if shown != full else None)
        for row in group.rows:
            mid = y + ROW_H / 2
            y += ROW_H
            if row.median is None or row.p90 is None:
                continue
            x1, x2 = x_of(row.median), x_of(row.p90)
            median, p90 = _human(row.median), _human(row.p90)
            tip = f"{group.label}, {row.label}: median {median}, 90th percentile {p90} (n={row.count})"
            svg.rect(
                x1, mid - 2.5, max(x2 - x1, 1.5), 5, f"pmkb-range {row.css}", tip,
                {"group": group.label, "metric": row.label, "median": round(row.median), "p90": round(row.p90)},
            )
            svg.add(
                f'<circle class="pmkb-range-median {esc(row.css)}" cx="{fmt(x1)}" cy="{fmt(mid)}" r="4">'
                f"<title>{esc(tip)}</title></circle>"
            )
    return svg.render()


def _human(seconds: float) -> str:
    return duration(dt.timedelta(seconds=seconds))
