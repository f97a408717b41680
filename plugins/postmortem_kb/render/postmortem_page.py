"""A postmortem's page: the header, the timeline markup and the rendered
front-matter blocks (factors, action items, related incidents) woven into the
author's Markdown body."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

from ..core.model import Postmortem
from ..core.settings import Settings
from ..core.similar import Similar
from ..stats import actions
from . import urls
from .blocks import block_marker
from .environment import Renderer

_LIST_OPEN = re.compile(r"<(ul|ol|table)>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str
    note: str = ""


def header_context(
    pm: Postmortem,
    settings: Settings,
    page: str,
    preview: bool,
) -> dict[str, Any]:
    today = settings.reference_date
    category_titles = {c.slug: c.title for c in settings.taxonomy}
    return {
        "pm": pm,
        "page": page,
        "preview": preview,
        "severity_rank": settings.severity_rank(pm.severity),
        "severity_url": urls.severity(pm.severity),
        "year_url": urls.year(pm.year),
        "services": [Link(s, urls.service(s)) for s in pm.services],
        "teams": [Link(t, urls.team(t)) for t in pm.teams],
        "chips": [Link(category_titles.get(c, c), urls.category(c), c) for c in pm.categories],
        "item_counts": item_counts(actions.tally(actions.collect([pm], today))),
    }


@dataclass(frozen=True, slots=True)
class ItemCounts:
    by_status: tuple[str, ...]  # `2 open`, `1 in progress`, `3 done or won't do`: the non-zero ones
    overdue: int  # of the open and in-progress ones

    def __bool__(self) -> bool:
        return bool(self.by_status)


def item_counts(counts: actions.Tally) -> ItemCounts:
    """The header's summary of a postmortem's action items, by status as the table shows them."""
    parts = ((counts.open, "open"), (counts.in_progress, "in progress"), (counts.done + counts.wont_do, "done or won't do"))
    return ItemCounts(tuple(f"{n} {label}" for n, label in parts if n), counts.overdue)


def _insert_after(lines: list[str], index: int, block: str) -> None:
    lines[index + 1 : index + 1] = ["", block, ""]


def timeline_marker(entry: Any) -> str:
    """The time and kind of one entry (plain formatting: it runs for every entry)."""
    stamp = html.escape(entry.stamp)
    out = f'<time class="pmkb-tl-time" datetime="{entry.at.isoformat()}">{stamp}</time>'
    if entry.kind:
        kind = html.escape(entry.kind)
        out += f' <span class="pmkb-kind pmkb-kind--{kind}">{kind}</span>'
    return out


_TAIL = re.compile(
    r"^(?:\*\*|`|__)?(?:[ \t]*UTC)?(?:\*\*|`|__)?[ \t]*(?:[-–—:][ \t]*)?(?:\[[^\]\s]+\](?!\())?[ \t]*"
)
# In a table row the kind is in the next cell: `| 09:12 | [observation] ... |`. The cell's
# `|` stays; the kind goes, as it does from a list item (the marker shows it).
_CELL_KIND = re.compile(r"^((?:\*\*|`|__)?(?:[ \t]*UTC)?(?:\*\*|`|__)?[ \t]*\|[ \t]*)\[[^\]\s]+\](?!\()[ \t]*")


def compose_markdown(
    pm: Postmortem,
    settings: Settings,
    renderer: Renderer,
    page: str,
    related: list[Link],
    similar: list[Similar],
    preview: bool,
) -> tuple[str, tuple[str, ...]]:
    """The Markdown MkDocs renders for this postmortem, and the HTML blocks
    that replace its `block_marker`s once it is converted."""
    lines = pm.body.split("\n")
    base = pm.body_line
    today = settings.reference_date
    blocks: list[str] = []

    def stash(fragment: str) -> str:
        blocks.append(fragment)
        return block_marker(len(blocks) - 1)

    # Timeline: mark each entry's time and kind so the site can show them.
    for entry in pm.timeline:
        index = entry.line - base
        if not 0 <= index < len(lines):
            continue
        line = lines[index]
        position = line.find(entry.stamp)
        if position < 0:
            continue
        end = position + len(entry.stamp)
        # Swallow wrapping markup, "UTC", separators and the [kind] marker.
        tail = line[end:]
        cell = _CELL_KIND.match(tail) if entry.kind else None
        if cell:
            rest = cell.group(1) + tail[cell.end() :]
        else:
            match = _TAIL.match(tail)
            rest = tail[match.end() if match else 0 :]
        head = line[:position]
        if head.rstrip().endswith(("**", "`", "__")):
            head = head.rstrip()[:-2 if head.rstrip().endswith(("**", "__")) else -1] + " "
        lines[index] = f"{head}{stash(timeline_marker(entry))} {rest}"

    insertions: list[tuple[int, str]] = []
    sections = {s.key: s for s in pm.sections if s.level == 2}
    # Category titles, as the chips show them: the blocks below never show a slug.
    titles = {c.slug: c.title for c in settings.taxonomy}

    factors_section = sections.get("contributing factors")
    if factors_section is not None:
        factors_html = renderer.render("factors", pm=pm, page=page, titles=titles, url=urls.category)
        insertions.append((factors_section.line - base, stash(factors_html)))

    items_html = renderer.render("action-items", pm=pm, page=page, today=today, url=urls.category, titles=titles)
    items_section = sections.get("action items")
    appendix: list[str] = []
    if items_section is not None:
        end = items_section.line - base + items_section.text.count("\n") + 1
        insertions.append((end, stash(items_html)))
    else:
        appendix += ["## Action Items", "", stash(items_html), ""]
    if related or similar:
        appendix += [
            "## Related incidents",
            "",
            stash(renderer.render("related", related=related, similar=similar, page=page, url=urls.postmortem)),
            "",
        ]
    for index, block in sorted(insertions, reverse=True):
        _insert_after(lines, index, block)

    header = stash(renderer.render("header", **header_context(pm, settings, page, preview)))
    return "\n".join([header, "", *lines, "", *appendix]), tuple(blocks)


def mark_timeline(html: str) -> str:
    """Give the timeline's list or table a class the stylesheet can target."""
    # Python-Markdown writes tags in lowercase (and `str.lower` may change the length, `İ`).
    start = html.find('<h2 id="timeline"')
    heading_end = html.find("</h2>", start) if start >= 0 else -1
    if heading_end < 0:
        return html
    # The section's first list or table, after an introduction such as "All times UTC."
    # if there is one, but never one of the next section's.
    section_end = html.find("<h2", heading_end)
    match = _LIST_OPEN.search(html, heading_end, section_end if section_end >= 0 else len(html))
    if match is None:
        return html
    return f'{html[:match.start()]}<{match.group(1)} class="pmkb-timeline">{html[match.end():]}'


def iso_date(value: dt.datetime | dt.date) -> str:
    return value.strftime("%Y-%m-%d")
