"""Index pages by dimension: services, teams, severities and years.

Each dimension has an overview page and one page per value with its
incidents, their factor mix and their open action items. (Categories have
their own module: their pages carry trends.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..core.model import Postmortem
from ..render import urls
from ..stats.actions import OPEN_GROUPS, ItemRef, by_group, tally
from ..stats.counts import factor_mix, group_by
from ..stats.durations import overall
from . import GeneratedPage
from .common import assemble, percent
from .context import Context


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str  # "services"
    title: str  # "Services"
    root: str  # overview URL
    intro: str
    keys: Callable[[Postmortem], Iterable[str]]
    url: Callable[[str], str]
    value_intro: Callable[[str], str]


def _dimensions(ctx: Context) -> list[tuple[Dimension, list[tuple[str, str]]]]:
    """Each dimension with its values in display order as (value, description)."""
    pms = ctx.kb.published
    services = Dimension(
        "services", "Services", urls.SERVICES, "Services affected by the published incidents.",
        lambda pm: pm.services, urls.service, lambda v: f"Incidents that affected {v}.",
    )
    teams = Dimension(
        "teams", "Teams", urls.TEAMS, "Teams that took part in the response or own the follow-up.",
        lambda pm: pm.teams, urls.team, lambda v: f"Incidents {v} took part in.",
    )
    severities = Dimension(
        "severities", "Severities", urls.SEVERITIES, "Incidents by severity, worst first.",
        lambda pm: (pm.severity,), urls.severity, lambda v: "",
    )
    years = Dimension(
        "years", "Years", urls.YEARS, "Incidents by the year they started (in the offset the authors wrote).",
        lambda pm: (str(pm.year),), lambda v: urls.year(int(v)), lambda v: f"Incidents that started in {v}.",
    )
    service_values = sorted({s for pm in pms for s in pm.services})
    team_values = sorted({t for pm in pms for t in pm.teams})
    year_values = sorted({str(pm.year) for pm in pms}, reverse=True)
    return [
        (services, [(v, "") for v in service_values]),
        (teams, [(v, "") for v in team_values]),
        (severities, [(s.name, s.description) for s in ctx.settings.severities]),
        (years, [(v, "") for v in year_values]),
    ]


def dimension_pages(ctx: Context) -> list[GeneratedPage]:
    items_of: dict[str, list[ItemRef]] = defaultdict(list)
    for ref in ctx.refs:
        items_of[ref.postmortem.id].append(ref)
    pages: list[GeneratedPage] = []
    total = len(ctx.kb.published)
    for dimension, values in _dimensions(ctx):
        groups = group_by(ctx.kb.published, dimension.keys)
        rows = []
        for value, description in values:
            members = groups.get(value, [])
            refs = [r for pm in members for r in items_of.get(pm.id, ())]
            mix = factor_mix(members, ctx.settings.taxonomy)
            counts = tally(refs)
            rows.append(
                {
                    "name": value,
                    "url": dimension.url(value),
                    "description": description,
                    "count": len(members),
                    "share": percent(len(members) / total) if total else "—",
                    "last": members[0] if members else None,
                    "pending": counts.pending,
                    "overdue": counts.overdue,
                    "top": mix[0] if mix else None,
                }
            )
            pages.append(_value_page(ctx, dimension, value, description, members, refs, mix))
        html = ctx.render("kb-dimension-overview", page=dimension.root, dimension=dimension, rows=rows, total=total)
        pages.append(assemble(dimension.root, dimension.title, [(None, html)], in_nav=True))
    return pages


def _value_page(
    ctx: Context,
    dimension: Dimension,
    value: str,
    description: str,
    members: Sequence[Postmortem],
    refs: Sequence[ItemRef],
    mix: Sequence[object],
) -> GeneratedPage:
    page = dimension.url(value)
    groups = by_group(refs)
    pending = [r for key in OPEN_GROUPS for r in groups[key]]
    counts = tally(refs)
    durations = overall(members)
    intro = ctx.render(
        "kb-dimension-intro",
        page=page,
        dimension=dimension,
        intro=description or dimension.value_intro(value),
        count=len(members),
        counts=counts,
        completion=percent(counts.completion_rate),
        ttr=durations.metrics["resolve"],
    )
    peak = max((row.count for row in mix), default=0)  # type: ignore[attr-defined]
    blocks = [
        (None, intro),
        ("Contributing-factor mix", ctx.render("kb-factor-mix", page=page, rows=mix, peak=peak, percent=percent, count=len(members))),
        (
            f"Action items open or in progress ({len(pending)})",
            ctx.ai_table(page, pending, "No action item is open or in progress."),
        ),
        (
            f"Incidents ({len(members)})",
            ctx.incidents_table(page, members, "No incidents."),
        ),
    ]
    return assemble(page, value, blocks)
