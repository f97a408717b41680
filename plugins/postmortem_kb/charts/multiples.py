"""One panel of a small-multiples grid: bars over periods on a scale shared by
all panels (the caller passes the same `top` to each), so heights compare."""

from __future__ import annotations

from collections.abc import Sequence

from .svg import FONT, Svg

WIDTH, HEIGHT = 240.0, 96.0
LEFT, RIGHT, TOP, BOTTOM = 6.0, 6.0, 16.0, 16.0


def small_multiple(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[int],
    top: int,
    css: str,
    *,
    unit: str = "incidents",
) -> str:
    svg = Svg(chart_id, WIDTH, HEIGHT, title, desc, "pmkb-svg--multiple")
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    total = sum(values)
    svg.text(LEFT, FONT, f"{title} · {total}", "pmkb-svg-label pmkb-svg-label--title")
    svg.line(LEFT, base, WIDTH - RIGHT, base, "pmkb-svg-axis")
    # The shared maximum, drawn as a faint line, makes the common scale explicit.
    scale = max(top, 1)
    svg.line(LEFT, TOP, WIDTH - RIGHT, TOP, "pmkb-svg-grid")
    svg.text(WIDTH - RIGHT, TOP - 3, f"{scale:g}", "pmkb-svg-label pmkb-svg-label--small", "end")
    count = len(values)
    if count:
        slot = plot_w / count
        bar = max(min(slot * 0.8, 30.0), 0.6)
        for p, value in enumerate(values):
            if not value:
                continue
            h = plot_h * value / scale
            x = LEFT + p * slot + (slot - bar) / 2
            svg.rect(
                x, base - h, bar, h, f"pmkb-bar {css}", f"{labels[p]}: {value} {unit}",
                {"period": labels[p], "value": value},
            )
        svg.text(LEFT, HEIGHT - 3, labels[0], "pmkb-svg-label pmkb-svg-label--small")
        if count > 1:
            svg.text(WIDTH - RIGHT, HEIGHT - 3, labels[-1], "pmkb-svg-label pmkb-svg-label--small", "end")
    if not total:
        svg.text(WIDTH / 2, TOP + plot_h / 2 + 4, "none", "pmkb-svg-empty", "middle")
    return svg.render()
