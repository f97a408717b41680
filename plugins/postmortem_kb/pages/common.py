"""What the generated pages share: figures (chart + data table), Markdown
assembly, number formats and the time axis of the charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from . import GeneratedPage, block_marker

from ..core.model import Postmortem
from ..core.settings import Settings
from ..render import urls
from ..stats.periods import NOUNS, PER_YEAR, Period, chart_kind, period_of, span

PALETTE_SIZE = 14  # colours defined in postmortem-kb-indexes.css (light and dark)
METRIC_CSS = {"detect": "pmkb-m0", "mitigate": "pmkb-m1", "resolve": "pmkb-m2"}


def series_css(index: int) -> str:
    return f"pmkb-s{index % PALETTE_SIZE}"


def severity_css(rank: int) -> str:
    return f"pmkb-sevfill-{min(rank, 4)}"


@dataclass(frozen=True, slots=True)
class LegendItem:
    label: str
    css: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart and the table of its data, rendered by the `figure` macro."""

    id: str
    title: str
    svg: Markup
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    legend: Sequence[LegendItem] = ()
    note: str = ""
    css: str = ""


def figure(id: str, title: str, svg: str, columns: Sequence[str], rows: Sequence[Sequence[object]], **more: object) -> Figure:
    # The SVG is built with explicit escaping (charts.svg.esc): safe to embed as is.
    return Figure(id, title, Markup(svg), columns, rows, **more)  # type: ignore[arg-type]


def md_escape(text: str) -> str:
    """Plain text for a Markdown heading: nothing in it is interpreted.

    On one line (a line break would end the heading), and with `{` and `}`
    escaped: attr_list would read `{: onclick=...}` at a heading's end as
    attributes, and `{#id}` as its anchor.
    """
    out = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#!{}":
        out = out.replace(ch, "\\" + ch)
    return out


def assemble(
    url: str,
    title: str,
    blocks: Sequence[tuple[str | None, str]],
    *,
    in_nav: bool = False,
    search_exclude: bool = True,
) -> GeneratedPage:
    """A page of an h1, then (h2 heading or None, HTML) blocks.

    Headings stay Markdown, so that they reach the table of contents; the
    HTML is kept out of Markdown (see `GeneratedPage.blocks`).
    """
    parts = [f"# {md_escape(title)}", ""]
    html_blocks: list[str] = []
    for heading, html in blocks:
        if heading:
            parts += [f"## {md_escape(heading)}", ""]
        if html.strip():
            parts += [block_marker(len(html_blocks)), ""]
            html_blocks.append(html)
    markdown = "\n".join(parts) + "\n"
    return GeneratedPage(urls.src_uri(url), title, markdown, in_nav, search_exclude, tuple(html_blocks))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True, slots=True)
class Axis:
    """The periods a chart shows, oldest first."""

    periods: tuple[Period, ...]
    partial_last: bool  # the last period holds the reference date: still running
    kind: str = field(default="quarter")

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.periods]

    @property
    def noun(self) -> str:
        return NOUNS[self.kind]

    @property
    def first(self) -> Period:
        return self.periods[0]

    @property
    def last(self) -> Period:
        return self.periods[-1]

    def holds(self, pm: Postmortem) -> bool:
        ordinal = period_of(pm.started_at, self.kind).ordinal
        return self.first.ordinal <= ordinal <= self.last.ordinal

    @property
    def description(self) -> str:
        if len(self.periods) == 1:
            text = self.first.label
        else:
            text = f"{self.first.label} to {self.last.label}"
        return text + (f" (* {self.last.label} so far)" if self.partial_last else "")


def axis(
    postmortems: Sequence[Postmortem],
    settings: Settings,
    preferred: str,
    years: int | None = None,
) -> Axis:
    """From the oldest incident (or `years` back) to the period of the reference date.

    The axis runs on to the reference date, so a quiet stretch shows as
    empty periods rather than vanishing; a corpus too long for the preferred
    period is shown by coarser periods (see `chart_kind`).
    """
    reference = settings.reference_date
    newest = max((pm.started_at.date() for pm in postmortems), default=reference)
    end = max(reference, newest)
    last = period_of(end, preferred)
    if years is not None:
        first = last.prev(years * PER_YEAR[preferred] - 1)
    else:
        oldest = min((pm.started_at.date() for pm in postmortems), default=end)
        first = period_of(oldest, preferred)
    kind = chart_kind(preferred, first.start, last.start)
    first, last = first.coarsen(kind), last.coarsen(kind)
    return Axis(tuple(span(first, last)), reference < last.end and reference >= last.start, kind)


def today_label(settings: Settings) -> str:
    return settings.reference_date.isoformat()


def is_recent(pm: Postmortem, reference: dt.date, days: int = 365) -> bool:
    return reference - dt.timedelta(days=days) < pm.started_at.date() <= reference
