"""Action-item figures: status groups, overdue, owners, completion, cohorts.

An item is overdue when it is `open` or `in-progress` and its due date is
before the reference date. The format records no completion date, so the
per-period figures are cohorts: items are counted in the period their
postmortem's incident started, and "done" means done by now.
Completion rate = done / (all items - won't do): an item decided against is
neither done nor pending.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.model import ActionItem, Postmortem
from .periods import Period, period_of

GROUPS: tuple[tuple[str, str], ...] = (
    ("overdue", "Overdue"),
    ("open", "Open"),
    ("in-progress", "In progress"),
    ("done", "Done"),
    ("wont-do", "Won't do"),
)
OPEN_GROUPS = ("overdue", "open", "in-progress")
CLOSED_GROUPS = ("done", "wont-do")


def status_label(status: str) -> str:
    """An action item's status as a table cell reads it: `in-progress` -> "in progress"."""
    return dict(GROUPS).get(status, status).lower()


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An action item with the postmortem it comes from."""

    item: ActionItem
    postmortem: Postmortem
    overdue: bool
    owner_key: str

    @property
    def group(self) -> str:
        return "overdue" if self.overdue else self.item.status


def owner_key(owner: str) -> str:
    """Owners are the same when they differ only in case or spacing (`SRE`, `sre`)."""
    return " ".join(owner.split()).casefold()


def collect(postmortems: Iterable[Postmortem], today: dt.date) -> list[ItemRef]:
    """Every action item of `postmortems`, in postmortem then document order."""
    return [
        ItemRef(item, pm, item.is_overdue(today), owner_key(item.owner))
        for pm in postmortems
        for item in pm.action_items
    ]


def _sort_key(ref: ItemRef) -> tuple:
    # Pending work: the oldest due date first. Closed work: the latest first.
    if ref.group in CLOSED_GROUPS:
        return (-ref.item.due.toordinal(), ref.postmortem.id, ref.item.title)
    return (ref.item.due.toordinal(), ref.postmortem.id, ref.item.title)


def by_group(refs: Iterable[ItemRef]) -> dict[str, list[ItemRef]]:
    """Items under each group of `GROUPS` (all groups present), sorted for reading."""
    groups: dict[str, list[ItemRef]] = {key: [] for key, _ in GROUPS}
    for ref in refs:
        groups[ref.group].append(ref)
    for members in groups.values():
        members.sort(key=_sort_key)
    return groups


@dataclass(frozen=True, slots=True)
class Tally:
    total: int = 0
    open: int = 0
    in_progress: int = 0
    overdue: int = 0
    done: int = 0
    wont_do: int = 0
    # Overdue items by status: `open` and `in_progress` count them too, so a
    # page can say how many of each status are overdue.
    open_overdue: int = 0
    in_progress_overdue: int = 0

    @property
    def pending(self) -> int:
        return self.open + self.in_progress

    @property
    def completion_rate(self) -> float | None:
        committed = self.total - self.wont_do
        return self.done / committed if committed else None


def tally(refs: Iterable[ItemRef]) -> Tally:
    statuses: Counter[str] = Counter()
    late: Counter[str] = Counter()
    total = 0
    for ref in refs:
        total += 1
        statuses[ref.item.status] += 1
        late[ref.item.status] += ref.overdue
    return Tally(
        total=total,
        open=statuses["open"],
        in_progress=statuses["in-progress"],
        overdue=sum(late.values()),
        done=statuses["done"],
        wont_do=statuses["wont-do"],
        open_overdue=late["open"],
        in_progress_overdue=late["in-progress"],
    )


@dataclass(frozen=True, slots=True)
class Owner:
    key: str
    name: str  # the most used spelling
    slug: str
    tally: Tally


def owners(refs: Sequence[ItemRef]) -> list[Owner]:
    """Every owner, most overdue first, then most pending, then by name."""
    members: dict[str, list[ItemRef]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for ref in refs:
        members[ref.owner_key].append(ref)
        spellings[ref.owner_key][" ".join(ref.item.owner.split())] += 1
    slugs = owner_slugs(sorted(members))
    result = []
    for key, items in members.items():
        name = sorted(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        result.append(Owner(key, name, slugs[key], tally(items)))
    result.sort(key=lambda o: (-o.tally.overdue, -o.tally.pending, o.key))
    return result


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def owner_slugs(keys: Sequence[str]) -> dict[str, str]:
    """A URL slug per owner key, unique; `keys` sorted so the result is stable."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for key in keys:
        base = slugify(key) or "owner-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs[key] = slug
    return slugs


@dataclass(frozen=True, slots=True)
class Cohort:
    """The action items opened in one period and where they stand now."""

    period: Period
    tally: Tally


def cohorts(refs: Iterable[ItemRef], periods: Sequence[Period]) -> list[Cohort]:
    """Items by the period their incident started (aligned with `periods`)."""
    if not periods:
        return []
    kind, first = periods[0].kind, periods[0].ordinal
    buckets: list[list[ItemRef]] = [[] for _ in periods]
    for ref in refs:
        offset = period_of(ref.postmortem.started_at, kind).ordinal - first
        if 0 <= offset < len(buckets):
            buckets[offset].append(ref)
    return [Cohort(p, tally(b)) for p, b in zip(periods, buckets)]


def overdue_by_owner(owner_list: Iterable[Owner]) -> list[Owner]:
    """Owners with overdue items, most overdue first, then by name."""
    return sorted((o for o in owner_list if o.tally.overdue), key=lambda o: (-o.tally.overdue, o.key))
