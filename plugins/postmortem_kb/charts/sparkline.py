"""A word-sized trend line: the shape of a series, its values in the `<desc>`."""

from __future__ import annotations

from collections.abc import Sequence

from .svg import Svg, fmt

WIDTH, HEIGHT, PAD = 96.0, 24.0, 3.0


def sparkline(chart_id: str, title: str, desc: str, values: Sequence[int], css: str = "") -> str:
    svg = Svg(chart_id, WIDTH, HEIGHT, title, desc, "pmkb-svg--spark")
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    base = HEIGHT - PAD
    svg.line(PAD, base, WIDTH - PAD, base, "pmkb-svg-axis")
    if not values:
        return svg.render()
    top = max(max(values), 1)
    count = len(values)

    def point(i: int, v: int) -> tuple[float, float]:
        x = PAD + (inner_w * i / (count - 1) if count > 1 else inner_w / 2)
        return x, base - inner_h * v / top

    points = [point(i, v) for i, v in enumerate(values)]
    if count > 1:
        coords = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
        svg.add(f'<polyline class="pmkb-spark-line {css}" points="{coords}"/>')
    x, y = points[-1]
    svg.add(f'<circle class="pmkb-spark-dot {css}" cx="{fmt(x)}" cy="{fmt(y)}" r="2.2"/>')
    return svg.render()
