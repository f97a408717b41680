"""Counting incidents by category, service, team, severity and period.

An incident counts once per category however many of its factors share that
category (`Postmortem.categories` is de-duplicated); a share is "incidents
with X / all incidents considered", so shares of categories add up to more
than 100 % when incidents have several categories.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..core.model import Postmortem
from ..core.settings import Category
from .periods import Period, period_of

KeyFn = Callable[[Postmortem], Iterable[str]]


def group_by(postmortems: Iterable[Postmortem], keys: KeyFn) -> dict[str, list[Postmortem]]:
    """Postmortems under each key, in input order (each postmortem once per key)."""
    groups: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in postmortems:
        for key in dict.fromkeys(keys(pm)):
            groups[key].append(pm)
    return dict(groups)


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def per_period(postmortems: Iterable[Postmortem], periods: Sequence[Period]) -> list[int]:
    """Incidents per period, aligned with `periods` (all of one kind, contiguous)."""
    if not periods:
        return []
    kind, first = periods[0].kind, periods[0].ordinal
    counts = [0] * len(periods)
    for pm in postmortems:
        offset = period_of(pm.started_at, kind).ordinal - first
        if 0 <= offset < len(counts):
            counts[offset] += 1
    return counts


def per_period_by_key(
    postmortems: Iterable[Postmortem], periods: Sequence[Period], keys: KeyFn
) -> dict[str, list[int]]:
    """For each key, incidents per period (aligned with `periods`)."""
    out: dict[str, list[int]] = {}
    if not periods:
        return out
    kind, first = periods[0].kind, periods[0].ordinal
    for pm in postmortems:
        offset = period_of(pm.started_at, kind).ordinal - first
        if not 0 <= offset < len(periods):
            continue
        for key in dict.fromkeys(keys(pm)):
            out.setdefault(key, [0] * len(periods))[offset] += 1
    return out


@dataclass(frozen=True, slots=True)
class MixRow:
    """One category's part in a group of incidents (a service, a team, a year...)."""

    category: Category
    count: int
    share: float


def factor_mix(postmortems: Sequence[Postmortem], taxonomy: Sequence[Category]) -> list[MixRow]:
    """Categories present in `postmortems`, most frequent first, then taxonomy order."""
    counts: Counter[str] = Counter()
    for pm in postmortems:
        counts.update(pm.categories)
    order = {c.slug: i for i, c in enumerate(taxonomy)}
    rows = [MixRow(c, counts[c.slug], share(counts[c.slug], len(postmortems))) for c in taxonomy if counts[c.slug]]
    rows.sort(key=lambda r: (-r.count, order[r.category.slug]))
    return rows


def top_values(postmortems: Iterable[Postmortem], keys: KeyFn, limit: int | None = None) -> list[tuple[str, int]]:
    """Most frequent values (services, teams...), ties by name."""
    counts: Counter[str] = Counter()
    for pm in postmortems:
        counts.update(list(dict.fromkeys(keys(pm))))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit] if limit is not None else ranked
