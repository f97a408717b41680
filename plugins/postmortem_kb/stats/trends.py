"""Category figures for the categories page and the home page.

Direction: the incidents of a category in the latest complete period (as of
the reference date) against the period before it: `rising` when at least
`MIN_CHANGE` more, `falling` when at least `MIN_CHANGE` fewer, `slight` for a
smaller change (one incident: 0 to 1 is no trend), `steady` when equal and
non-zero, `none` when zero in both. The sparkline shows the `SPARK_PERIODS`
periods ending with the latest complete one, so its last two points are the
two compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.model import Postmortem
from ..core.settings import Category
from .counts import group_by, per_period, share
from .periods import Period, comparison, span

SPARK_PERIODS = 12
DIRECTIONS = ("rising", "falling", "slight", "steady", "none")
# The smallest change called rising or falling: at a few incidents a period,
# one more or one fewer is noise, shown as numbers only.
MIN_CHANGE = 2


@dataclass(frozen=True, slots=True)
class Trend:
    current_period: Period
    previous_period: Period
    current: int
    previous: int

    @property
    def direction(self) -> str:
        return direction(self.current, self.previous)

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def phrase(self) -> str:
        return phrase(self.current, self.previous, self.current_period.kind)


def direction(current: int, previous: int) -> str:
    if current == previous:
        return "steady" if current else "none"
    if abs(current - previous) < MIN_CHANGE:
        return "slight"
    return "rising" if current > previous else "falling"


def phrase(current: int, previous: int, noun: str) -> str:
    """The words of a trend; pages show the two counts beside them."""
    word = direction(current, previous)
    if word == "none":
        return f"none in either {noun}"
    if word == "slight":
        change = current - previous
        return f"{abs(change)} {'more' if change > 0 else 'fewer'}"
    return word


@dataclass(frozen=True, slots=True)
class CategoryStat:
    category: Category
    postmortems: tuple[Postmortem, ...]  # newest first
    share: float  # of all incidents considered
    trend: Trend
    spark_periods: tuple[Period, ...]
    spark: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.postmortems)

    @property
    def last(self) -> Postmortem | None:
        return self.postmortems[0] if self.postmortems else None


def category_stats(
    postmortems: Sequence[Postmortem],
    taxonomy: Sequence[Category],
    reference: dt.date,
    kind: str,
) -> list[CategoryStat]:
    """One entry per category of the taxonomy (zero included), in taxonomy order.

    `postmortems` must be newest first (as `KnowledgeBase.published` is).
    """
    current, previous = comparison(reference, kind)
    periods = span(current.prev(SPARK_PERIODS - 1), current)
    groups = group_by(postmortems, lambda pm: pm.categories)
    stats = []
    for category in taxonomy:
        members = groups.get(category.slug, [])
        series = per_period(members, periods)
        stats.append(
            CategoryStat(
                category=category,
                postmortems=tuple(members),
                share=share(len(members), len(postmortems)),
                trend=Trend(current, previous, series[-1], series[-2]),
                spark_periods=tuple(periods),
                spark=tuple(series),
            )
        )
    return stats


def rising_most(stats: Sequence[CategoryStat], limit: int = 3) -> list[CategoryStat]:
    """Rising categories (by `MIN_CHANGE` or more), largest increase first, then most incidents now, then taxonomy order."""
    rising = [s for s in stats if s.trend.direction == "rising"]
    order = {id(s): i for i, s in enumerate(stats)}
    rising.sort(key=lambda s: (-s.trend.change, -s.trend.current, order[id(s)]))
    return rising[:limit]
