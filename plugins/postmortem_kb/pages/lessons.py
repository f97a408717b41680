"""The "Lessons learned" page: the "What went wrong" and "Where we got lucky"
lessons of every published postmortem, by contributing-factor category, each
linked to its source.

A lesson is one top-level list item of those subsections (or the whole
subsection when it is prose). Its text is the author's Markdown body, so it
is rendered as Markdown, like the postmortem page renders it.

A postmortem is listed under each of its factor categories, so a reader
browsing one category sees all its lessons; only the first listing of a lesson
is indexed for search (the repeats carry `data-search-exclude` and
`data-pagefind-ignore`), which keeps the search index lean.
"""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass

import markdown

from ..core.knowledge_base import KnowledgeBase
from ..core.model import Postmortem, Section
from ..render import urls
from ..render.environment import Renderer
from ..render.sanitize import neutralise_markdown, scrub_html
from . import GeneratedPage, block_marker
from .common import md_escape

KINDS = (("what went wrong", "What went wrong"), ("where we got lucky", "Where we got lucky"))

_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])[ \t]+")


@dataclass(frozen=True, slots=True)
class Lesson:
    kind: str  # "What went wrong" or "Where we got lucky"
    markdown: str
    html: str


def split_items(text: str) -> list[str]:
    """Top-level list items of a subsection's Markdown; prose stays whole."""
    items: list[list[str]] = []
    prose: list[str] = []
    for line in text.strip("\n").split("\n"):
        if _ITEM.match(line):
            items.append([_ITEM.sub("", line, count=1)])
        elif items and (line.startswith((" ", "\t")) or not line.strip()):
            items[-1].append(line)
        elif line.strip():
            if items:
                items[-1].append(line)  # lazy continuation
            else:
                prose.append(line)
    found = []
    for first, *rest in items:
        text = (first + "\n" + textwrap.dedent("\n".join(rest))).strip()
        if text:
            found.append(text)
    if not found and prose:
        return ["\n".join(prose).strip()]
    return found


_MARKDOWN = markdown.Markdown(extensions=["attr_list", "tables"], output_format="html")


# Plain prose on one line: no character Markdown (with attr_list and tables)
# gives a meaning to, no leading marker (list, heading, quote, code indent).
# Markdown would only wrap it in <p>: tests/test_search.py checks this
# shortcut against Markdown itself on generated text.
_PLAIN = re.compile(r"""[A-Za-z("'](?:[^\s\x00-\x1f\x7f\\`*_\[\]<>&{}]| (?! ))*[A-Za-z0-9.,;?)"'%]""")


@functools.lru_cache(maxsize=65536)
def render_markdown(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return text  # most lessons: about a third of the lessons page's time saved
    # One Markdown instance, reset per call: building one per lesson (what
    # `markdown.markdown` does) cost more than the conversion itself.
    # A lesson is author Markdown like the rest of the body: the same two
    # passes as the postmortem page keep pasted HTML from running here too.
    html = scrub_html(_MARKDOWN.reset().convert(neutralise_markdown(text)).strip())
    # One paragraph reads inline after the lesson's label.
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def lesson_sections(pm: Postmortem) -> dict[str, Section]:
    """The subsections of "Lessons learned" (`### What went wrong`, ...), by key: what the page reads."""
    lessons = pm.section("Lessons Learned")
    if lessons is None:
        return {}
    end = lessons.line + lessons.text.count("\n") + 1
    return {s.key: s for s in pm.sections if s.level == 3 and lessons.line < s.line <= end}


def lessons_of(pm: Postmortem) -> list[Lesson]:
    subsections = lesson_sections(pm)
    found: list[Lesson] = []
    for key, label in KINDS:
        section = subsections.get(key)
        if section is None:
            continue
        for item in split_items(section.text):
            found.append(Lesson(label, item, render_markdown(item)))
    return found


def lessons_page(kb: KnowledgeBase, renderer: Renderer) -> GeneratedPage:
    page = urls.LESSONS
    newest = sorted(kb.published, key=lambda pm: pm.started_at, reverse=True)
    by_pm = {pm.id: lessons_of(pm) for pm in newest}
    groups = []
    seen: set[str] = set()
    for category in kb.settings.taxonomy:
        entries = []
        for pm in newest:
            if category.slug not in pm.categories or not by_pm[pm.id]:
                continue
            entries.append({"pm": pm, "lessons": by_pm[pm.id], "repeat": pm.id in seen})
            seen.add(pm.id)
        if entries:
            groups.append({"category": category, "url": urls.category(category.slug), "entries": entries})
    total = sum(len(v) for v in by_pm.values())
    intro = renderer.render(
        "lessons", groups=groups, page=page, total=total, sources=sum(1 for v in by_pm.values() if v),
    )
    # Each category's heading stays Markdown, so that it reaches the table of
    # contents; its lessons go in after Markdown: fed through Markdown's raw-HTML
    # parser, a page this size took time quadratic in its length (186 s at 10,000).
    blocks = [intro] + [renderer.render("lessons-group", group=g, page=page, urls=urls) for g in groups]
    parts = ["# Lessons learned", "", block_marker(0), ""]
    for index, group in enumerate(groups, start=1):
        parts += [heading(group["category"].title, group["category"].slug), "", block_marker(index), ""]
    return GeneratedPage(urls.src_uri(page), "Lessons learned", "\n".join(parts), in_nav=True, blocks=tuple(blocks))


def heading(title: str, slug: str) -> str:
    """A category's `##` heading, anchored at its slug (`lessons/#time-expiry`) by attr_list."""
    # A slug is lowercase letters, digits and hyphens (checked with the taxonomy): safe in `{#...}`.
    return f"## {md_escape(title)} {{#{slug}}}"
