"""Static SVG charts, rendered at build time.

Every chart is a string of SVG with `role="img"`, a `<title>` and a `<desc>`
(referenced by `aria-labelledby`), no fixed colours (classes that the
stylesheet maps to CSS variables, so light and dark palettes both work) and
no script. Each text comes from front matter or configuration, so every text
and attribute goes through `svg.esc`. Pages put a data table beside each
chart.
"""

from .bars import Series, stacked_bars
from .durations import RangeGroup, RangeRow, duration_ranges
from .heatmap import heatmap
from .multiples import small_multiple
from .sparkline import sparkline

__all__ = ["RangeGroup", "RangeRow", "Series", "duration_ranges", "heatmap", "small_multiple", "sparkline", "stacked_bars"]
