"""The contributing-factor pages: the overview of the taxonomy and one page
per category (zero-incident categories included: zero is information)."""

from __future__ import annotations

from collections import Counter, defaultdict

from markupsafe import Markup

from ..charts import Series, sparkline, stacked_bars
from ..render import urls
from ..stats.actions import GROUPS, ItemRef, by_group
from ..stats.counts import per_period
from ..stats.periods import NOUNS
from ..stats.trends import MIN_CHANGE, SPARK_PERIODS, CategoryStat
from . import GeneratedPage
from .common import Axis, assemble, axis, figure, percent, series_css
from .context import Context

TOP_SERVICES = 15


def category_pages(ctx: Context) -> list[GeneratedPage]:
    pages = [_overview(ctx)]
    ax = axis(ctx.kb.published, ctx.settings, ctx.period)
    by_factor: dict[str, list[ItemRef]] = defaultdict(list)
    for ref in ctx.refs:
        if ref.item.factor:
            by_factor[ref.item.factor].append(ref)
    for index, stat in enumerate(ctx.categories):
        pages.append(_category(ctx, ax, index, stat, by_factor.get(stat.category.slug, [])))
    return pages


def _spark(ctx: Context, index: int, stat: CategoryStat) -> Markup:
    labels = [p.label for p in stat.spark_periods]
    values = ", ".join(f"{label}: {v}" for label, v in zip(labels, stat.spark))
    svg = sparkline(
        f"spark-{stat.category.slug}",
        f"{stat.category.title}: incidents per {NOUNS[ctx.period]}, last {SPARK_PERIODS}",
        values,
        stat.spark,
        series_css(index),
    )
    return Markup(svg)


def _overview(ctx: Context) -> GeneratedPage:
    total = len(ctx.kb.published)
    first = ctx.categories[0].trend if ctx.categories else None
    rows = [
        {
            "stat": s,
            "url": urls.category(s.category.slug),
            "share": percent(s.share),
            "spark": _spark(ctx, i, s),
        }
        for i, s in enumerate(ctx.categories)
    ]
    html = ctx.render(
        "kb-categories",
        page=urls.CATEGORIES,
        rows=rows,
        total=total,
        trend=first,
        noun=NOUNS[ctx.period],
        spark_periods=SPARK_PERIODS,
        min_change=MIN_CHANGE,
    )
    return assemble(urls.CATEGORIES, "Contributing factors", [(None, html)], in_nav=True)


def _category(ctx: Context, ax: Axis, index: int, stat: CategoryStat, refs: list[ItemRef]) -> GeneratedPage:
    category = stat.category
    page = urls.category(category.slug)
    members = list(stat.postmortems)
    counts = per_period(members, ax.periods)
    trend_svg = stacked_bars(
        f"cat-{category.slug}-trend",
        f"{category.title}: incidents per {ax.noun}",
        f"Incidents with a {category.title} factor per {ax.noun}, {ax.description}; "
        f"{stat.count} in all. The data table follows the chart.",
        ax.labels,
        [Series(category.slug, category.title, series_css(index))],
        [counts],
        partial_last=ax.partial_last,
    )
    trend_fig = figure(
        f"cat-{category.slug}-trend-fig",
        f"{category.title}: incidents per {ax.noun}, {ax.description}",
        trend_svg,
        [ax.noun.capitalize(), "Incidents"],
        [[label, n] for label, n in zip(ax.labels, counts)],
    )

    services: Counter[str] = Counter()
    for pm in members:
        services.update(pm.services)
    ranked = sorted(services.items(), key=lambda kv: (-kv[1], kv[0]))
    top = [
        {"name": name, "url": urls.service(name), "count": n, "share": percent(n / len(members))}
        for name, n in ranked[:TOP_SERVICES]
    ]
    peak = ranked[0][1] if ranked else 0

    incidents = [
        {"pm": pm, "why": [f.description for f in pm.factors if f.category == category.slug]}
        for pm in members
    ]
    groups = by_group(refs)
    ordered = [r for key, _ in GROUPS for r in groups[key]]

    blocks = [
        (None, ctx.render("kb-category-intro", page=page, stat=stat, share=percent(stat.share), total=len(ctx.kb.published), noun=NOUNS[ctx.period])),
        ("Trend", ctx.render("kb-figure", fig=trend_fig)),
        ("Services it hits most", ctx.render("kb-services-hit", page=page, rows=top, peak=peak, more=max(len(ranked) - TOP_SERVICES, 0), category=category)),
        (f"Incidents ({stat.count})", ctx.render("kb-category-incidents", page=page, rows=incidents, category=category)),
        (
            f"Action items addressing it ({len(refs)})",
            ctx.ai_table(page, ordered, f"No action item names {category.title} as the factor it addresses.", show_factor=False),
        ),
    ]
    title = category.title
    return assemble(page, title, blocks)
