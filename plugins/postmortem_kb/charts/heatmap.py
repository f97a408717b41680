"""A grid of counts (rows by columns), darker where there are more."""

from __future__ import annotations

from collections.abc import Sequence

from .svg import FONT, Svg, chars_in, label_column, truncate

CELL_W, CELL_H = 30.0, 20.0
HEAD_H = 96.0
COLUMN_CHARS = 18  # a rotated column label this long fits in HEAD_H
LABEL_OVERHANG = 70.0  # rotated column labels reach right of the last column
ROW_LABEL_PAD = 12.0  # between the row labels' column and the cells


def heatmap(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[str],
    columns: Sequence[str],
    matrix: Sequence[Sequence[int]],
    *,
    empty: str = "No incidents in this range",
) -> str:
    """`matrix[r][c]`; every cell is a `rect.pmkb-heat` with data-row, data-col and data-value."""
    label_w = label_column(rows, ROW_LABEL_PAD)
    room = chars_in(label_w - ROW_LABEL_PAD)
    width = label_w + CELL_W * max(len(columns), 1) + LABEL_OVERHANG
    height = HEAD_H + CELL_H * max(len(rows), 1) + 4
    svg = Svg(chart_id, width, height, title, desc, "pmkb-svg--heatmap")
    if not rows or not columns:
        svg.message(empty)
        return svg.render()
    peak = max((v for row in matrix for v in row), default=0)
    for c, column in enumerate(columns):
        x = label_w + c * CELL_W + CELL_W / 2
        shown = truncate(column, COLUMN_CHARS)
        svg.text(x + 3, HEAD_H - 6, shown, "pmkb-svg-label", "start", rotate=-55, tip=column if shown != column else None)
    for r, row in enumerate(rows):
        y = HEAD_H + r * CELL_H
        shown = truncate(row, room)  # the full name: the tooltip, the cells' tooltips and the data table
        svg.text(label_w - 6, y + CELL_H / 2 + FONT / 3, shown, "pmkb-svg-label", "end", tip=row if shown != row else None)
        for c, column in enumerate(columns):
            value = matrix[r][c]
            x = label_w + c * CELL_W
            level = 0 if not value or not peak else min(5, 1 + int(4 * value / peak))
            svg.rect(
                x + 1, y + 1, CELL_W - 2, CELL_H - 2, f"pmkb-heat pmkb-heat--{level}",
                f"{row} × {column}: {value}", {"row": row, "col": column, "value": value},
            )
            if value:
                svg.text(x + CELL_W / 2, y + CELL_H / 2 + FONT / 3, value, f"pmkb-heat-text pmkb-heat-text--{level}", "middle")
    if not peak:
        svg.text(width / 2, HEAD_H / 2, empty, "pmkb-svg-empty", "middle")
    return svg.render()
