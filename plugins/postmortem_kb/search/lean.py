"""A lighter copy of a page's HTML for Material's search indexer (issue 6).

Material's search plugin parses every page's HTML with Python's HTMLParser:
on a postmortem page that was the largest single cost of the build (about
4 ms a page, a third of it on markup the index never keeps). The plugin
hands the indexer this copy instead, and the page keeps its full HTML:

- elements marked `data-search-exclude` (the header's dates, people and
  badges, repeated lessons, the related-incidents list) are replaced by an
  empty `<wbr>`: the indexer skips them anyway, and the void tag keeps the
  text on either side in separate pieces, exactly as before. An excluded
  element that is, or holds, a heading with an id is kept: the indexer
  still opens a section for it.
- the timeline's time and kind markers (`<time ...>09:30</time> <span
  ...>action</span>`, written by render/postmortem_page.py) become their
  text: the indexer keeps neither tag, and the text comes out the same.

The index is the same either way: tests/test_search.py builds the sample
with and without the copy and compares `search_index.json` byte for byte.

The plugin swaps the copy in at priority 1 of `on_page_context` and the full
HTML back at priority -1, around Material's handler at MkDocs' default
priority 0: another plugin's `on_page_context` at that same default priority
also sees the copy (none of Material's own plugins reads it there).
"""

from __future__ import annotations

import re

# An opening tag with a `data-search-exclude` attribute (not the words inside another attribute's value).
_ATTR = r"""\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?"""
_EXCLUDED_OPEN = re.compile(
    rf"<([a-zA-Z][a-zA-Z0-9]*)(?:{_ATTR})*?\s+data-search-exclude(?=[\s=>/])(?:{_ATTR})*\s*/?>"
)
_HEADING_WITH_ID = re.compile(r"<h[1-6]\b[^>]*\sid=", re.IGNORECASE)
_TIMELINE_MARKER = re.compile(
    r'<time class="pmkb-tl-time" datetime="[^"]*">([^<]*)</time>'
    r'(?: <span class="pmkb-kind pmkb-kind--[^"]*">([^<]*)</span>)?'
)
_TAG_CACHE: dict[str, re.Pattern[str]] = {}


def _same_tag(tag: str) -> re.Pattern[str]:
    pattern = _TAG_CACHE.get(tag)
    if pattern is None:
        pattern = _TAG_CACHE[tag] = re.compile(rf"<(/?){re.escape(tag)}(?=[\s/>])[^>]*>", re.IGNORECASE)
    return pattern


def _without_excluded(html: str) -> str:
    out: list[str] = []
    position = scan = 0
    while True:
        found = html.find("data-search-exclude", scan)
        if found < 0:
            break
        scan = found + 1
        start = html.rfind("<", position, found)
        match = _EXCLUDED_OPEN.match(html, start) if start >= 0 else None
        if match is None or match.end() <= found:
            continue  # the words in text or in another attribute's value
        end = _closing(html, match.group(1).lower(), match.end())
        if end is None or _HEADING_WITH_ID.search(html, start, end):
            continue  # unbalanced, or a section starts here: left to the indexer
        out.append(html[position:start])
        out.append("<wbr>")
        position = scan = end
    out.append(html[position:])
    return "".join(out)


def _closing(html: str, tag: str, start: int) -> int | None:
    """The end of the element opened just before `start` (same-name nesting counted)."""
    if tag in _VOID:
        return start
    depth = 1
    for match in _same_tag(tag).finditer(html, start):
        if match.group(1):
            depth -= 1
            if depth == 0:
                return match.end()
        elif not match.group(0).endswith("/>"):
            depth += 1
    return None


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})


def search_copy(html: str) -> str:
    """The HTML Material's indexer gets for a postmortem page (same index, less markup)."""
    html = _without_excluded(html)
    if "pmkb-tl-time" in html:
        html = _TIMELINE_MARKER.sub(lambda m: m.group(1) + (" " + m.group(2) if m.group(2) is not None else ""), html)
    return html
