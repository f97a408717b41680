"""The action-item pages: all pending items (overdue first), the closed ones,
and one page per owner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..render import urls
from ..stats import actions
from ..stats.actions import CLOSED_GROUPS, GROUPS, OPEN_GROUPS, ItemRef
from . import GeneratedPage
from .common import assemble, percent
from .context import Context

# An overdue item is listed under "Overdue" only: the open and in-progress
# sections say so, or their counts would contradict the status figures.
LABELS = {**dict(GROUPS), "open": "Open, not overdue", "in-progress": "In progress, not overdue"}
EMPTY = {
    "overdue": "No action item is overdue.",
    "open": "No open action item.",
    "in-progress": "No action item in progress.",
    "done": "No action item is done yet.",
    "wont-do": "No action item was decided against.",
}


def empty_message(key: str, counts: actions.Tally) -> str:
    """What an empty section says; a status whose items are all overdue says where they are."""
    late = {"open": counts.open_overdue, "in-progress": counts.in_progress_overdue}.get(key, 0)
    if not late:
        return EMPTY[key]
    every = "The" if late == 1 else f"All {late}"
    return f"{every} {key} item{'s' if late != 1 else ''} {'is' if late == 1 else 'are'} overdue: listed under Overdue."


def action_item_pages(ctx: Context) -> list[GeneratedPage]:
    groups = actions.by_group(ctx.refs)
    counts = actions.tally(ctx.refs)
    pages = [_index(ctx, groups, counts), _closed(ctx, groups)]
    per_owner: dict[str, list[ItemRef]] = defaultdict(list)
    for ref in ctx.refs:
        per_owner[ref.owner_key].append(ref)
    for owner in ctx.owners:
        pages.append(_owner(ctx, owner, per_owner[owner.key]))
    return pages


def _sections(
    ctx: Context, page: str, groups: dict[str, list[ItemRef]], counts: actions.Tally, keys: Sequence[str], **options: bool
) -> list[tuple[str | None, str]]:
    return [
        (
            f"{LABELS[key]} ({len(groups[key])})",
            ctx.ai_table(page, groups[key], empty_message(key, counts), **options),
        )
        for key in keys
    ]


def _index(ctx: Context, groups: dict[str, list[ItemRef]], counts: actions.Tally) -> GeneratedPage:
    page = urls.ACTION_ITEMS
    head = ctx.render(
        "kb-ai-head",
        page=page,
        counts=counts,
        completion=percent(counts.completion_rate),
        owners=ctx.owners,
        closed_url=urls.ACTION_ITEMS_CLOSED,
        exports=ctx.exports,
    )
    blocks: list[tuple[str | None, str]] = [(None, head)]
    blocks += _sections(ctx, page, groups, counts, OPEN_GROUPS)
    closed = sum(len(groups[k]) for k in CLOSED_GROUPS)
    blocks.append(("Done and won't do", ctx.render("kb-ai-closed-link", page=page, count=closed, url=urls.ACTION_ITEMS_CLOSED)))
    return assemble(page, "Action items", blocks, in_nav=True)


def _closed(ctx: Context, groups: dict[str, list[ItemRef]]) -> GeneratedPage:
    page = urls.ACTION_ITEMS_CLOSED
    intro = ctx.render("kb-ai-back", page=page, text="Closed action items: done, most recently due first, then those decided against.")
    blocks: list[tuple[str | None, str]] = [(None, intro)]
    blocks += _sections(ctx, page, groups, actions.Tally(), CLOSED_GROUPS)  # closed: nothing is overdue
    title = "Closed action items"
    return assemble(page, title, blocks)


def _owner(ctx: Context, owner: actions.Owner, refs: list[ItemRef]) -> GeneratedPage:
    page = urls.owner(owner.slug)
    groups = actions.by_group(refs)
    head = ctx.render(
        "kb-ai-owner", page=page, owner=owner, counts=owner.tally, completion=percent(owner.tally.completion_rate)
    )
    blocks: list[tuple[str | None, str]] = [(None, head)]
    present = [key for key, _ in GROUPS if groups[key]]
    blocks += _sections(ctx, page, groups, owner.tally, present, show_owner=False)
    title = f"Action items: {owner.name}"
    return assemble(page, title, blocks)
