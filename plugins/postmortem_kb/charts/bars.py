"""Bars over periods, stacked by series (categories, item statuses)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .svg import FONT, Svg, label_every, nice_ticks

LEFT, RIGHT, TOP, BOTTOM = 34.0, 8.0, 10.0, 30.0
MAX_BAR = 46.0


@dataclass(frozen=True, slots=True)
class Series:
    key: str  # stable id (a category slug); lands in data-series
    label: str  # shown in tooltips
    css: str  # colour class, e.g. "pmkb-s3"


def stacked_bars(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[int]],
    *,
    unit: str = "incidents",
    partial_last: bool = False,
    width: float = 720,
    height: float = 240,
    empty: str = "No incidents in this range",
) -> str:
    """One bar per label, its segments stacked in `series` order.

    `values[s][p]` is series `s` in period `p`. Zero segments are left out;
    every drawn segment is a `rect.pmkb-bar` with data-period, data-series
    and data-value, and a tooltip. `partial_last` marks the last period as
    still running.
    """
    svg = Svg(chart_id, width, height, title, desc, "pmkb-svg--bars")
    count = len(labels)
    if count == 0:
        svg.message(empty)
        return svg.render()
    totals = [sum(row[p] for row in values) for p in range(count)]
    peak = max(totals, default=0)
    ticks = nice_ticks(peak)
    top = ticks[-1]
    plot_w = width - LEFT - RIGHT
    plot_h = height - TOP - BOTTOM
    base = TOP + plot_h

    for tick in ticks:
        y = base - plot_h * tick / top
        svg.line(LEFT, y, width - RIGHT, y, "pmkb-svg-grid" if tick else "pmkb-svg-axis")
        svg.text(LEFT - 5, y + FONT / 3, f"{tick:g}", "pmkb-svg-label", "end")

    slot = plot_w / count
    bar = min(slot * 0.78, MAX_BAR)
    for p, label in enumerate(labels):
        x = LEFT + p * slot + (slot - bar) / 2
        y = base
        partial = partial_last and p == count - 1
        for s, item in enumerate(series):
            value = values[s][p]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            css = f"pmkb-bar {item.css}" + (" pmkb-bar--partial" if partial else "")
            tip = f"{label}{' (so far)' if partial else ''} · {item.label}: {value} {unit}"
            svg.rect(x, y, bar, h, css, tip, {"period": label, "series": item.key, "value": value})

    every = label_every(count, plot_w, 54)
    for p, label in enumerate(labels):
        if p % every and p != count - 1:
            continue
        if p != count - 1 and count - 1 - p < every and (count - 1) % every:
            continue  # the last label is always shown; do not crowd it
        x = LEFT + p * slot + slot / 2
        svg.text(x, base + FONT + 6, label + ("*" if partial_last and p == count - 1 else ""), "pmkb-svg-label", "middle")
    if peak == 0:
        svg.text(LEFT + plot_w / 2, TOP + plot_h / 2, empty, "pmkb-svg-empty", "middle")
    return svg.render()
