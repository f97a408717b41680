"""One plain record per published postmortem: the shape of `incidents.json`.

Ordering is stable: oldest `started_at` (as an instant) first, then id, so a
new postmortem usually appends at the end and diffs stay small. Nothing in a
record depends on the build date (no "overdue" flag: a consumer derives it
from `due` and `status`), so two builds of the same commit write the same
bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from ..core.model import Postmortem
from ..core.settings import Settings
from ..render import urls
from ..stats.periods import period_of

FORMAT = "postmortem-kb/incidents"
VERSION = 1


def export_order(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    return sorted(postmortems, key=lambda pm: (pm.started_at.astimezone(dt.timezone.utc), pm.id))


def page_url(pm: Postmortem, site_url: str | None) -> str:
    """Absolute when the site has a `site_url`, else relative to the site root."""
    rel = urls.postmortem(pm.path)
    return urljoin(site_url if site_url.endswith("/") else site_url + "/", rel) if site_url else rel


def seconds(delta: dt.timedelta | None) -> int | float | None:
    if delta is None:
        return None
    value = delta.total_seconds()
    return int(value) if value.is_integer() else round(value, 3)


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def plain(value: Any) -> Any:
    """Custom-field values as JSON data (non-finite numbers become null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def incident_record(pm: Postmortem, settings: Settings, site_url: str | None, published_ids: set[str]) -> dict[str, Any]:
    titles = {c.slug: c.title for c in settings.taxonomy}
    impact = pm.impact
    return {
        "id": pm.id,
        "title": pm.title,
        "status": pm.status,
        "visibility": pm.visibility,
        "severity": pm.severity,
        "severity_rank": settings.severity_rank(pm.severity),
        "summary": pm.summary,
        "started_at": iso(pm.started_at),
        "detected_at": iso(pm.detected_at),
        "mitigated_at": iso(pm.mitigated_at),
        "resolved_at": iso(pm.resolved_at),
        "time_to_detect_seconds": seconds(pm.time_to_detect),
        "time_to_mitigate_seconds": seconds(pm.time_to_mitigate),
        "time_to_resolve_seconds": seconds(pm.time_to_resolve),
        "year": pm.year,
        "quarter": period_of(pm.started_at, "quarter").label,
        "month": period_of(pm.started_at, "month").label,
        "services": list(pm.services),
        "teams": list(pm.teams),
        "authors": list(pm.authors),
        "reviewers": list(pm.reviewers),
        "tags": list(pm.tags),
        "detection": pm.detection,
        "trigger": pm.trigger,
        "near_miss": pm.near_miss,
        "impact": {
            "users_affected": impact.users_affected,
            "error_budget_consumed_pct": impact.error_budget_consumed_pct,
            "data_loss": impact.data_loss,
            "support_tickets": impact.support_tickets,
            "revenue": impact.revenue,
        },
        "categories": list(pm.categories),
        "contributing_factors": [
            {"category": f.category, "category_title": titles.get(f.category, f.category), "description": f.description}
            for f in pm.factors
        ],
        "action_items": [
            {
                "title": a.title,
                "owner": a.owner,
                "due": a.due.isoformat(),
                "status": a.status,
                "type": a.type,
                "priority": a.priority,
                "ticket": a.ticket,
                "factor": a.factor,
            }
            for a in pm.action_items
        ],
        # Only ids this build publishes: a public export never names an internal postmortem.
        "related": [r for r in pm.related if r in published_ids],
        "custom": plain(dict(pm.custom)),
        "url": page_url(pm, site_url),
        "source": pm.path,
    }


def incidents_document(postmortems: list[Postmortem], settings: Settings, site_url: str | None) -> dict[str, Any]:
    ids = {pm.id for pm in postmortems}
    records = [incident_record(pm, settings, site_url, ids) for pm in export_order(postmortems)]
    return {
        "format": FORMAT,
        "version": VERSION,
        "site_url": site_url or None,
        "audience": settings.audience,
        "count": len(records),
        "incidents": records,
    }
