"""Fixture postmortems for the index, trends and export tests (issue 3).

`record(...)` builds a `Postmortem` directly (fast, for the pure stats);
`text(...)` writes a complete, valid postmortem file (for builds and the
JSON Schema), with a timeline in full ISO timestamps so that any start time
works.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from postmortem_kb.core.model import ActionItem, Factor, Impact, Postmortem

UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    """`2024-03-14T09:12` (UTC) or any ISO datetime with an offset."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def item(title: str = "Add an alert on pool saturation", owner: str = "sre", due: str = "2024-04-30",
         status: str = "open", factor: str | None = None, **more: Any) -> ActionItem:
    return ActionItem(title=title, owner=owner, due=dt.date.fromisoformat(due), status=status, factor=factor, **more)


def record(
    id: str = "PM-1",
    started: str = "2024-03-14T09:12",
    *,
    severity: str = "SEV2",
    categories: tuple[str, ...] = ("config-change",),
    services: tuple[str, ...] = ("checkout-api",),
    teams: tuple[str, ...] = ("sre",),
    detect: float | None = 7,  # minutes after the start
    mitigate: float | None = 19,
    resolve: float = 108,
    items: tuple[ActionItem, ...] | None = None,
    visibility: str = "internal",
    status: str = "published",
    tags: tuple[str, ...] = (),
    related: tuple[str, ...] = (),
) -> Postmortem:
    start = at(started)
    minutes = dt.timedelta(minutes=1)
    return Postmortem(
        path=f"postmortems/{start.year}/{id.lower()}.md",
        id=id,
        title=f"Incident {id}",
        status=status,
        visibility=visibility,
        severity=severity,
        summary=f"Summary of {id}.",
        started_at=start,
        resolved_at=start + resolve * minutes,
        detected_at=start + detect * minutes if detect is not None else None,
        mitigated_at=start + mitigate * minutes if mitigate is not None else None,
        services=services,
        teams=teams,
        authors=("Priya Raman",),
        reviewers=("Amara Osei",),
        tags=tags,
        detection="alert",
        trigger=None,
        near_miss=False,
        impact=Impact(),
        factors=tuple(Factor(c, f"Why {c} mattered in {id}.") for c in categories),
        action_items=items if items is not None else (item(factor=categories[0]),),
        related=related,
        body="",
        body_line=1,
        sections=(),
        timeline=(),
    )


BODY = """
## Impact

About 4,200 customers could not complete checkout.

## Timeline

- {t0} [observation] p99 latency on checkout-api rises from 180 ms to 2.4 s.
- {t1} [detection] The checkout latency alert pages the on-call engineer.
- {t2} [mitigation] Rollback completes; latency returns to baseline.

## Contributing Factors

The template change applied to every service.

## Lessons Learned

### What went well

The rollback took five minutes.

### What went wrong

Nothing alerted on the pool.

### Where we got lucky

It happened on a quiet morning.
"""


def front_matter(
    id: str = "PM-2024-001",
    started: str = "2024-03-14T09:12:00Z",
    *,
    severity: str = "SEV2",
    categories: tuple[str, ...] = ("config-change",),
    services: tuple[str, ...] = ("checkout-api",),
    teams: tuple[str, ...] = ("sre",),
    visibility: str = "internal",
    status: str = "published",
    detect: int | None = 7,
    mitigate: int | None = 19,
    resolve: int = 108,
    items: list[dict[str, Any]] | None = None,
    related: list[str] | None = None,
    title: str | None = None,
    summary: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    start = dt.datetime.fromisoformat(started.replace("Z", "+00:00"))

    def stamp(minutes: int) -> str:
        return (start + dt.timedelta(minutes=minutes)).isoformat()

    data: dict[str, Any] = {
        "id": id,
        "title": title or f"Checkout latency {id}",
        "status": status,
        "visibility": visibility,
        "severity": severity,
        "summary": summary or f"For a while, some checkouts timed out ({id}).",
        "started_at": start.isoformat(),
    }
    if detect is not None:
        data["detected_at"] = stamp(detect)
    if mitigate is not None:
        data["mitigated_at"] = stamp(mitigate)
    data.update(
        {
            "resolved_at": stamp(resolve),
            "services": list(services),
            "teams": list(teams),
            "authors": ["Priya Raman"],
            "reviewers": ["Amara Osei"],
            "contributing_factors": [
                {"category": c, "description": f"The {c} factor of {id}."} for c in categories
            ],
            "action_items": items
            if items is not None
            else [{"title": "Add an alert on pool saturation", "owner": "sre", "due": "2024-04-30", "status": "open", "factor": categories[0]}],
        }
    )
    if related:
        data["related"] = related
    data.update(extra)
    return data


def text(**fields: Any) -> str:
    """A complete valid postmortem file; keywords as `front_matter`."""
    data = front_matter(**fields)
    start = dt.datetime.fromisoformat(data["started_at"])
    end = dt.datetime.fromisoformat(data["resolved_at"])
    middle = start + (end - start) / 2
    body = BODY.format(t0=start.isoformat(), t1=middle.isoformat(), t2=end.isoformat())
    # Dates stay strings in YAML (quoted), as authors usually write them unquoted: both are valid.
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n" + body
