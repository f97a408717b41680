"""The home page's "at a glance" block, placed where the author writes
`<!-- postmortems:overview -->` in docs/index.md."""

from __future__ import annotations

from typing import Any

from ..core.knowledge_base import KnowledgeBase
from ..render import urls
from ..render.environment import Renderer
from ..stats import actions
from ..stats.durations import overall
from ..stats.trends import MIN_CHANGE, rising_most
from .common import is_recent, percent
from .context import Context, build_context

MARKER = "<!-- postmortems:overview -->"
RECENT = 5
RISING = 3
OVERDUE = 5


def overview_block(
    kb: KnowledgeBase, renderer: Renderer, page: str, options: Any = None, ctx: Context | None = None
) -> str:
    return overview_html(ctx or build_context(kb, renderer, options), page)


def overview_html(ctx: Context, page: str) -> str:
    reference = ctx.settings.reference_date
    published = ctx.kb.published
    last_year = [pm for pm in published if is_recent(pm, reference)]
    worst = ctx.settings.severities[0].name if ctx.settings.severities else ""
    counts = actions.tally(ctx.refs)
    overdue = actions.by_group(ctx.refs)["overdue"]
    rising = rising_most(ctx.categories, RISING)
    trend = ctx.categories[0].trend if ctx.categories else None
    return ctx.render(
        "kb-home",
        page=page,
        total=len(published),
        last_year=len(last_year),
        worst=worst,
        worst_last_year=sum(1 for pm in last_year if pm.severity == worst),
        resolve=overall(last_year).metrics["resolve"],
        counts=counts,
        completion=percent(counts.completion_rate),
        recent=published[:RECENT],
        rising=rising,
        trend=trend,
        min_change=MIN_CHANGE,
        overdue=overdue[:OVERDUE],
        more_overdue=max(len(overdue) - OVERDUE, 0),
        urls=urls,
    )
