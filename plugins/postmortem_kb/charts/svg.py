"""The few SVG primitives the charts share, with escaping built in."""

from __future__ import annotations

from collections.abc import Sequence

import math
import re
from collections.abc import Mapping
from xml.sax.saxutils import escape

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
# Characters XML 1.0 forbids even escaped: a YAML "\a" in a title must not break the SVG.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FONT = 11  # user units; the stylesheet scales the whole SVG
# The width of an average character of a FONT-size label (the theme's sans-serif
# measures about 5.8): enough to reserve room for a label, never to place one exactly.
CHAR_W = 6.0


def esc(value: object) -> str:
    """Escape for SVG text and double-quoted attributes."""
    return escape(_NOT_XML.sub("", str(value)), {'"': "&quot;"})


def fmt(value: float) -> str:
    """Short, stable coordinates: at most two decimals, no `-0`."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def safe_id(text: str) -> str:
    return "pmkb-" + (_ID_UNSAFE.sub("-", text).strip("-") or "chart")


def nice_ticks(maximum: float, count: int = 4) -> list[float]:
    """0 and evenly spaced round values (1, 2, 5 x 10^k) up to at least `maximum`.

    Counts never get fractional steps.
    """
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1)
    top = math.ceil(maximum / step) * step
    return [i * step for i in range(int(round(top / step)) + 1)]


def label_every(count: int, room: float, per_label: float) -> int:
    """Show one x label every N so that labels never overlap."""
    fits = max(1, int(room // per_label))
    return max(1, math.ceil(count / fits))


class Svg:
    """An SVG document being written, accessible by construction."""

    def __init__(self, chart_id: str, width: float, height: float, title: str, desc: str, css: str = "") -> None:
        self.id = safe_id(chart_id)
        self.width = width
        self.height = height
        classes = " ".join(c for c in ("pmkb-svg", css) if c)
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{esc(classes)}" '
            f'viewBox="0 0 {fmt(width)} {fmt(height)}" width="{fmt(width)}" height="{fmt(height)}" '
            f'role="img" aria-labelledby="{self.id}-title" aria-describedby="{self.id}-desc" id="{self.id}">',
            f'<title id="{self.id}-title">{esc(title)}</title>',
            f'<desc id="{self.id}-desc">{esc(desc)}</desc>',
        ]

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        css: str,
        tip: str | None = None,
        data: Mapping[str, object] | None = None,
        extra: str = "",
    ) -> None:
        attrs = "".join(f' data-{k}="{esc(v)}"' for k, v in (data or {}).items())
        head = (
            f'<rect class="{esc(css)}" x="{fmt(x)}" y="{fmt(y)}" width="{fmt(max(width, 0))}" '
            f'height="{fmt(max(height, 0))}"{attrs}{extra}'
        )
        self.parts.append(f"{head}><title>{esc(tip)}</title></rect>" if tip else f"{head}/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, css: str) -> None:
        self.parts.append(
            f'<line class="{esc(css)}" x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        content: object,
        css: str = "pmkb-svg-label",
        anchor: str = "start",
        rotate: float | None = None,
        tip: str | None = None,
    ) -> None:
        """A label; `tip` (the full text of a shortened label) shows on hover."""
        transform = f' transform="rotate({fmt(rotate)} {fmt(x)} {fmt(y)})"' if rotate else ""
        title = f"<title>{esc(tip)}</title>" if tip else ""
        self.parts.append(
            f'<text class="{esc(css)}" x="{fmt(x)}" y="{fmt(y)}" text-anchor="{anchor}"{transform}>{esc(content)}{title}</text>'
        )

    def message(self, content: str) -> None:
        """A centred note for charts without data."""
        self.text(self.width / 2, self.height / 2, content, "pmkb-svg-empty", "middle")

    def render(self) -> str:
        return "".join(self.parts) + "</svg>"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def text_width(text: str) -> float:
    """About how wide `text` is as a label, in user units."""
    return len(text) * CHAR_W


def label_column(labels: Sequence[str], pad: float, low: float = 90.0, high: float = 260.0) -> float:
    """The width of a column of labels: room for the longest one, within `low` and `high`."""
    longest = max((text_width(label) for label in labels), default=0.0)
    return min(max(longest + pad, low), high)


def chars_in(room: float) -> int:
    """How many characters of a label fit in `room` user units (at least one)."""
    return max(int(room // CHAR_W), 1)


def with_count(name: str, count: int, limit: int) -> str:
    """`name (count)` in at most `limit` characters: the name is shortened, never the count."""
    suffix = f" ({count})"
    return truncate(name, max(limit - len(suffix), 2)) + suffix
