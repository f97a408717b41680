"""Calendar periods (month, quarter, year) and which period an incident falls in.

An incident belongs to the period of the calendar date of its `started_at`, as
written (in the author's own UTC offset): the same rule as `Postmortem.year`,
so a year page and a trend chart never disagree about a New Year's Eve
incident. Periods are numbered by an ordinal, so ranges and gaps cost O(1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS = ("month", "quarter", "year")
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
NOUNS = {"month": "month", "quarter": "quarter", "year": "year"}
# Past this many bars a chart is unreadable; coarser periods take over.
MAX_CHART_PERIODS = 48


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar month, quarter or year. Ordered by (kind, ordinal)."""

    kind: str
    ordinal: int  # year * PER_YEAR[kind] + index - 1

    @property
    def year(self) -> int:
        return self.ordinal // PER_YEAR[self.kind]

    @property
    def index(self) -> int:
        """1-based month or quarter number (1 for years)."""
        return self.ordinal % PER_YEAR[self.kind] + 1

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    @property
    def start(self) -> dt.date:
        months = 12 // PER_YEAR[self.kind]
        return dt.date(self.year, (self.index - 1) * months + 1, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return self.next().start

    def next(self, steps: int = 1) -> Period:
        return Period(self.kind, self.ordinal + steps)

    def prev(self, steps: int = 1) -> Period:
        return Period(self.kind, self.ordinal - steps)

    def contains(self, day: dt.date) -> bool:
        return period_of(day, self.kind) == self

    def coarsen(self, kind: str) -> Period:
        return period_of(self.start, kind)


def period_of(day: dt.date | dt.datetime, kind: str) -> Period:
    """The period holding this date (a datetime counts by its own calendar date)."""
    if kind not in PER_YEAR:
        raise ValueError(f"unknown period kind {kind!r}; use one of {', '.join(KINDS)}")
    month0 = day.month - 1
    index0 = month0 * PER_YEAR[kind] // 12
    return Period(kind, day.year * PER_YEAR[kind] + index0)


def span(first: Period, last: Period) -> list[Period]:
    """Every period from `first` to `last` inclusive (empty when last < first)."""
    if first.kind != last.kind:
        raise ValueError("periods of different kinds")
    return [Period(first.kind, o) for o in range(first.ordinal, last.ordinal + 1)]


def chart_kind(preferred: str, first: dt.date, last: dt.date, limit: int = MAX_CHART_PERIODS) -> str:
    """`preferred`, or a coarser kind when the range would need more than `limit` bars.

    A corpus spanning decades is shown by year rather than as 160 slivers.
    """
    order = KINDS[KINDS.index(preferred):]
    for kind in order:
        count = period_of(last, kind).ordinal - period_of(first, kind).ordinal + 1
        if count <= limit:
            return kind
    return order[-1]


def comparison(reference: dt.date, kind: str) -> tuple[Period, Period]:
    """(latest complete period, the one before it) as of `reference`.

    The period holding the reference date is still running, so it is never
    compared: early in a quarter every category would look like it is falling.
    """
    current = period_of(reference, kind).prev()
    return current, current.prev()
