"""The trends pages: one view per (period range, severity floor).

The filters a leader needs are views generated at build time (no server, no
script needed): `trends/` is all time and every severity; the others live at
`trends/<range>/<floor>/`, and each page links to its neighbours. A view
counts only the incidents of its range at or above its severity floor; its
time axis is shared by all views of the same range.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..charts import RangeGroup, RangeRow, Series, duration_ranges, heatmap, small_multiple, stacked_bars
from ..core.model import Postmortem
from ..render import urls
from ..render.formatting import duration
from ..stats import actions
from ..stats.counts import per_period, per_period_by_key, top_values
from ..stats.durations import METRICS, DurationRow, duration_rows, overall
from ..stats.periods import PER_YEAR
from . import GeneratedPage
from .common import (
    METRIC_CSS,
    Axis,
    LegendItem,
    assemble,
    axis,
    figure,
    percent,
    series_css,
    severity_css,
)
from .context import Context

RANGES: tuple[tuple[str, int | None], ...] = (("all", None), ("3y", 3), ("1y", 1))
HEATMAP_SERVICES = 20
OVERDUE_OWNERS = 20


@dataclass(frozen=True, slots=True)
class View:
    range_key: str
    years: int | None
    floor_key: str
    floor_rank: int  # incidents of this rank or better (0 = worst) are counted
    range_label: str
    floor_label: str  # a button's label: "All severities", "SEV1 only"
    floor_phrase: str  # the same in a sentence: "all severities", "SEV1 only" (a name keeps its case)

    @property
    def url(self) -> str:
        return urls.trends_view(self.range_key, self.floor_key)

    @property
    def title(self) -> str:
        if self.url == urls.TRENDS:
            return "Trends"
        return f"Trends: {self.range_label.lower()}, {self.floor_phrase}"


def views(ctx: Context) -> list[View]:
    severities = ctx.settings.severities
    per_year = PER_YEAR[ctx.period]
    noun = ctx.period
    ranges = [
        (key, years, "All time" if years is None else f"Last {years * per_year} {noun}s")
        for key, years in RANGES
    ]
    floors = [("all", len(severities), "All severities", "all severities")]
    for rank, severity in enumerate(severities[:-1]):
        label = f"{severity.name} only" if rank == 0 else f"{severity.name} or worse"
        floors.append((urls.severity_slug(severity.name), rank, label, label))
    return [View(r, y, f, rank, rl, fl, fp) for r, y, rl in ranges for f, rank, fl, fp in floors]


def wider_views(view: View, all_views: Sequence[View], shown: Collection[View]) -> list[View]:
    """The views an empty view points to, among those with incidents (`shown`): all time
    at its floor, every severity in its range, and else all time and every severity."""
    near = [
        v for v in all_views
        if v != view and v in shown
        and ((v.range_key == "all" and v.floor_key == view.floor_key) or (v.range_key == view.range_key and v.floor_key == "all"))
    ]
    return near or [v for v in all_views if v != view and v in shown and v.range_key == "all" and v.floor_key == "all"]


def trends_pages(ctx: Context) -> list[GeneratedPage]:
    all_views = views(ctx)
    axes = {key: axis(ctx.kb.published, ctx.settings, ctx.period, years) for key, years in RANGES}
    members = {view: _members(ctx, view, axes[view.range_key]) for view in all_views}
    shown = {view for view, found in members.items() if found}
    return [_page(ctx, view, all_views, axes[view.range_key], members[view], shown) for view in all_views]


def _members(ctx: Context, view: View, ax: Axis) -> list[Postmortem]:
    """The published postmortems a view counts: of its severities, in its range."""
    rank = ctx.settings.severity_rank
    return [pm for pm in ctx.kb.published if rank(pm.severity) <= view.floor_rank and ax.holds(pm)]


def _page(
    ctx: Context, view: View, all_views: Sequence[View], ax: Axis, members: list[Postmortem], shown: Collection[View]
) -> GeneratedPage:
    settings = ctx.settings
    page = view.url
    ids = {pm.id for pm in members}
    refs = [r for r in ctx.refs if r.postmortem.id in ids]
    counts = actions.tally(refs)
    resolve = overall(members).metrics["resolve"]
    prefix = f"{view.range_key}-{view.floor_key}"

    head = ctx.render(
        "kb-trends-head",
        page=page,
        view=view,
        views=all_views,
        ax=ax,
        count=len(members),
        counts=counts,
        completion=percent(counts.completion_rate),
        resolve=resolve,
        worst=sum(1 for pm in members if settings.severity_rank(pm.severity) == 0),
        worst_name=settings.severities[0].name if settings.severities else "",
        exports=ctx.exports,
        wider=wider_views(view, all_views, shown) if not members else [],
    )
    blocks: list[tuple[str | None, str]] = [(None, head)]
    if not members:
        # Nothing to chart: one message (in the head) instead of a page of empty charts.
        return assemble(page, view.title, blocks, in_nav=view.url == urls.TRENDS)
    blocks.append((f"Incidents per {ax.noun} by severity", ctx.render("kb-figure", fig=_by_severity(ctx, view, ax, members, prefix))))
    blocks.append((f"Incidents per {ax.noun} by contributing factor", ctx.render("kb-figure", fig=_by_category(ctx, ax, members, prefix))))
    blocks.append(("Each category on a shared scale", _multiples(ctx, ax, members, prefix)))
    blocks.append(("Categories by service", ctx.render("kb-figure", fig=_heatmap(ctx, members, prefix))))
    blocks.append(("Time to detect, mitigate and resolve", _durations(ctx, view, members, prefix)))
    blocks.append(("Action items", _actions(ctx, page, ax, refs, counts, prefix)))
    return assemble(page, view.title, blocks, in_nav=view.url == urls.TRENDS)


def _by_severity(ctx: Context, view: View, ax: Axis, members: Sequence[Postmortem], prefix: str):
    severities = [s for i, s in enumerate(ctx.settings.severities) if i <= view.floor_rank]
    series = [Series(s.name, s.name, severity_css(i)) for i, s in enumerate(severities)]
    by_sev = per_period_by_key(members, ax.periods, lambda pm: (pm.severity,))
    values = [by_sev.get(s.name, [0] * len(ax.periods)) for s in severities]
    totals = per_period(members, ax.periods)
    svg = stacked_bars(
        f"{prefix}-sev",
        f"Incidents per {ax.noun} by severity",
        f"{len(members)} incidents, {ax.description}, stacked by severity (worst at the bottom). "
        "The data table follows the chart.",
        ax.labels, series, values, partial_last=ax.partial_last,
    )
    rows = [[label, totals[p], *(v[p] for v in values)] for p, label in enumerate(ax.labels)]
    return figure(
        f"{prefix}-sev-fig", f"Incidents per {ax.noun} by severity, {ax.description}", svg,
        [ax.noun.capitalize(), "Incidents", *(s.name for s in severities)], rows,
        legend=[LegendItem(s.label, s.css) for s in series],
    )


def _category_series(ctx: Context) -> list[Series]:
    return [Series(c.slug, c.title, series_css(i)) for i, c in enumerate(ctx.settings.taxonomy)]


def _by_category(ctx: Context, ax: Axis, members: Sequence[Postmortem], prefix: str):
    series = _category_series(ctx)
    by_cat = per_period_by_key(members, ax.periods, lambda pm: pm.categories)
    values = [by_cat.get(s.key, [0] * len(ax.periods)) for s in series]
    totals = per_period(members, ax.periods)
    svg = stacked_bars(
        f"{prefix}-cat",
        f"Incidents per {ax.noun} by contributing-factor category",
        f"{len(members)} incidents, {ax.description}, stacked by category in taxonomy order. An incident "
        "with factors in several categories counts once in each, so a bar can be taller than the number "
        "of incidents. The data table follows the chart.",
        ax.labels, series, values, partial_last=ax.partial_last,
    )
    rows = [[label, totals[p], *(v[p] for v in values)] for p, label in enumerate(ax.labels)]
    note = "an incident with several categories counts in each"
    return figure(
        f"{prefix}-cat-fig", f"Incidents per {ax.noun} by contributing-factor category, {ax.description}", svg,
        [ax.noun.capitalize(), "Incidents", *(s.label for s in series)], rows,
        legend=[LegendItem(s.label, s.css) for s in series], note=note,
    )


def _multiples(ctx: Context, ax: Axis, members: Sequence[Postmortem], prefix: str) -> str:
    series = _category_series(ctx)
    by_cat = per_period_by_key(members, ax.periods, lambda pm: pm.categories)
    values = [by_cat.get(s.key, [0] * len(ax.periods)) for s in series]
    top = max((v for row in values for v in row), default=0)
    panels = [
        small_multiple(
            f"{prefix}-sm-{s.key}", s.label,
            f"{s.label}: {sum(row)} incidents, {ax.description}; per-{ax.noun} counts on a scale of 0 to "
            f"{max(top, 1)} shared by every panel.",
            ax.labels, row, top, s.css,
        )
        for s, row in zip(series, values)
        if any(row)  # a category without incidents in this view is named once, not drawn empty
    ]
    rows = [[s.label, sum(row), *row] for s, row in zip(series, values)]
    return ctx.render(
        "kb-multiples",
        panels=panels,
        empty=[s.label for s, row in zip(series, values) if not any(row)],
        columns=["Category", "Total", *ax.labels],
        rows=rows,
        title=f"Incidents per {ax.noun} for each category, {ax.description}",
        top=max(top, 1),
    )


def _heatmap(ctx: Context, members: Sequence[Postmortem], prefix: str):
    services = top_values(members, lambda pm: pm.services)
    shown = [name for name, _ in services[:HEATMAP_SERVICES]]
    index = {name: i for i, name in enumerate(shown)}
    categories = ctx.settings.taxonomy
    row_of = {c.slug: i for i, c in enumerate(categories)}
    matrix = [[0] * len(shown) for _ in categories]
    for pm in members:
        for slug in pm.categories:
            for service in dict.fromkeys(pm.services):
                column = index.get(service)
                if column is not None:
                    matrix[row_of[slug]][column] += 1
    more = len(services) - len(shown)
    note = f"the {len(shown)} services with the most incidents; {more} more not shown" if more > 0 else ""
    svg = heatmap(
        f"{prefix}-heat", "Incidents by category and service",
        "Number of incidents with a factor of each category (rows) that affected each service "
        "(columns); darker cells hold more. The data table follows the chart.",
        [c.title for c in categories], shown, matrix,
    )
    rows = [[c.title, *matrix[i]] for i, c in enumerate(categories)]
    return figure(
        f"{prefix}-heat-fig", "Incidents by category and service", svg, ["Category", *shown], rows,
        note=note, css="pmkb-figure--wide",
    )


def _range_groups(rows: Sequence[DurationRow]) -> list[RangeGroup]:
    return [
        RangeGroup(
            r.label, r.incidents,
            tuple(
                RangeRow(label, METRIC_CSS[m], r.metrics[m].count, r.metrics[m].median_seconds, r.metrics[m].p90_seconds)
                for m, label in METRICS
            ),
        )
        for r in rows
    ]


def _duration_table(rows: Sequence[DurationRow]) -> tuple[list[str], list[list[object]]]:
    columns = ["Group", "Incidents"]
    for _, label in METRICS:
        columns += [f"{label}: median", f"{label}: p90", f"{label}: n"]
    table: list[list[object]] = []
    for r in rows:
        cells: list[object] = [r.label, r.incidents]
        for metric, _ in METRICS:
            s = r.metrics[metric]
            cells += [duration(s.median), duration(s.p90), s.count]
        table.append(cells)
    return columns, table


def _durations(ctx: Context, view: View, members: Sequence[Postmortem], prefix: str) -> str:
    severities = [(s.name, s.name) for i, s in enumerate(ctx.settings.severities) if i <= view.floor_rank]
    by_sev = duration_rows(members, severities, lambda pm: (pm.severity,))
    by_cat = duration_rows(members, [(c.slug, c.title) for c in ctx.settings.taxonomy], lambda pm: pm.categories)
    legend = [LegendItem(label, METRIC_CSS[m]) for m, label in METRICS]
    figures = []
    for key, title, rows in (("sev", "by severity", by_sev), ("cat", "by contributing-factor category", by_cat)):
        svg = duration_ranges(
            f"{prefix}-dur-{key}", f"Time to detect, mitigate and resolve {title}",
            "For each group, the dot is the median and the line runs to the 90th percentile, on a "
            "logarithmic time scale; the number of incidents follows each group's name. "
            "The data table follows the chart.",
            _range_groups(rows),
        )
        columns, table = _duration_table(rows)
        figures.append(
            figure(
                f"{prefix}-dur-{key}-fig", f"Time to detect, mitigate and resolve {title}", svg, columns, table,
                legend=legend, note="dot: median, line: to the 90th percentile, log scale",
            )
        )
    return ctx.render("kb-durations", figures=figures)


def _actions(ctx: Context, page: str, ax: Axis, refs: Sequence[actions.ItemRef], counts: actions.Tally, prefix: str) -> str:
    cohorts = actions.cohorts(refs, ax.periods)
    series = [
        Series("done", "Done", "pmkb-st-done"),
        Series("wont-do", "Won't do", "pmkb-st-wontdo"),
        Series("pending", "Open or in progress", "pmkb-st-pending"),
    ]
    values = [
        [c.tally.done for c in cohorts],
        [c.tally.wont_do for c in cohorts],
        [c.tally.pending for c in cohorts],
    ]
    svg = stacked_bars(
        f"{prefix}-ai", f"Action items opened per {ax.noun}, and where they stand",
        f"{counts.total} action items from the incidents of {ax.description}, by the {ax.noun} of their "
        "incident: done, won't do, and still open or in progress. The data table follows the chart.",
        ax.labels, series, values, unit="action items", partial_last=ax.partial_last,
        empty="No action items in this range",
    )
    rows = [
        [c.period.label, c.tally.total, c.tally.done, c.tally.wont_do, c.tally.pending, c.tally.overdue, percent(c.tally.completion_rate)]
        for c in cohorts
    ]
    fig = figure(
        f"{prefix}-ai-fig", f"Action items opened per {ax.noun} and their status now, {ax.description}", svg,
        [ax.noun.capitalize(), "Opened", "Done", "Won't do", "Open or in progress", "Overdue", "Completion rate"], rows,
        legend=[LegendItem(s.label, s.css) for s in series],
        note="an item counts in the period its incident started; the format records no completion date",
    )
    owner_list = actions.owners(refs)
    overdue = actions.overdue_by_owner(owner_list)
    return ctx.render(
        "kb-trends-actions",
        page=page,
        fig=fig,
        counts=counts,
        completion=percent(counts.completion_rate),
        overdue=overdue[:OVERDUE_OWNERS],
        more=max(len(overdue) - OVERDUE_OWNERS, 0),
        peak=overdue[0].tally.overdue if overdue else 0,
        today=ctx.settings.reference_date.isoformat(),
    )
