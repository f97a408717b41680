"""The postmortem record: frozen dataclasses built only from validated input."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .schema import OPEN_ACTION_STATUSES


@dataclass(frozen=True, slots=True)
class Factor:
    category: str
    description: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class ActionItem:
    title: str
    owner: str
    due: dt.date
    status: str
    type: str | None = None
    priority: str | None = None
    ticket: str | None = None
    factor: str | None = None
    line: int = 0

    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open() and self.due < today


@dataclass(frozen=True, slots=True)
class Impact:
    users_affected: int | None = None
    error_budget_consumed_pct: float | None = None
    data_loss: bool | None = None
    support_tickets: int | None = None
    revenue: str | None = None

    def is_empty(self) -> bool:
        return all(
            v is None
            for v in (
                self.users_affected,
                self.error_budget_consumed_pct,
                self.data_loss,
                self.support_tickets,
                self.revenue,
            )
        )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: dt.datetime
    stamp: str
    kind: str | None
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    level: int
    line: int
    text: str
    key: str = ""  # the normalised title, computed once (sections are looked up often)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", normalise_heading(self.title))


def normalise_heading(title: str) -> str:
    return " ".join(title.strip().strip("#").split()).casefold()


@dataclass(frozen=True, slots=True)
class Postmortem:
    """One valid postmortem. `path` is POSIX, relative to the project root."""

    path: str
    id: str
    title: str
    status: str
    visibility: str
    severity: str
    summary: str
    started_at: dt.datetime
    resolved_at: dt.datetime
    detected_at: dt.datetime | None
    mitigated_at: dt.datetime | None
    services: tuple[str, ...]
    teams: tuple[str, ...]
    authors: tuple[str, ...]
    reviewers: tuple[str, ...]
    tags: tuple[str, ...]
    detection: str | None
    trigger: str | None
    near_miss: bool
    impact: Impact
    factors: tuple[Factor, ...]
    action_items: tuple[ActionItem, ...]
    related: tuple[str, ...]
    body: str
    body_line: int
    sections: tuple[Section, ...]
    timeline: tuple[TimelineEntry, ...]
    custom: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def categories(self) -> tuple[str, ...]:
        """Factor categories, each once, in the document's order."""
        return tuple(dict.fromkeys(f.category for f in self.factors))

    @property
    def year(self) -> int:
        return self.started_at.year

    @property
    def time_to_detect(self) -> dt.timedelta | None:
        return self.detected_at - self.started_at if self.detected_at else None

    @property
    def time_to_mitigate(self) -> dt.timedelta | None:
        return self.mitigated_at - self.started_at if self.mitigated_at else None

    @property
    def time_to_resolve(self) -> dt.timedelta:
        return self.resolved_at - self.started_at

    def section(self, title: str) -> Section | None:
        key = normalise_heading(title)
        for section in self.sections:
            if section.key == key:
                return section
        return None
