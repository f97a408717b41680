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

- in a large build, the header, factor and action-item blocks of the pages
  composed in a forked child are replaced by flattened copies (`flat_block`:
  the tags the indexer ignores dropped, its whitespace rules applied), each
  proven in the child with Material's own parser.

The index is the same either way: tests/test_search.py builds the sample
with and without the copy and compares `search_index.json` byte for byte,
and checks flattened blocks against their originals in many surroundings;
tests/test_forked.py compares a build that flattens with one that does not.

The plugin swaps the copy in at priority 1 of `on_page_context` and the full
HTML back at priority -1, around Material's handler at MkDocs' default
priority 0: another plugin's `on_page_context` at that same default priority
also sees the copy (none of Material's own plugins reads it there).
"""

from __future__ import annotations

import re

# The indexer's own list of tags that never close.
from material.plugins.search.plugin import void as _VOID

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
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# Any start or end tag (attribute values never hold `>`: Markdown and our templates escape it).
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(/?)>")


def _without_excluded(html: str) -> str:
    out: list[str] = []
    position = scan = 0
    # Where comments start and end (an unclosed one runs to the end).
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(html)] if "<!--" in html else []
    while True:
        found = html.find("data-search-exclude", scan)
        if found < 0:
            break
        scan = found + 1
        start = html.rfind("<", position, found)
        match = _EXCLUDED_OPEN.match(html, start) if start >= 0 else None
        if match is None or match.end() <= found:
            continue  # the words in text or in another attribute's value
        if any(c_start < start < c_end for c_start, c_end in comments):
            continue  # inside a comment: not a tag at all
        if match.group(0).endswith("/>"):
            end: int | None = match.end()  # `<div ... />`: opened and closed at once
        else:
            end = _element_end(html, match.group(1).lower(), match.end())
        if end is None or _HEADING_WITH_ID.search(html, start, end) or "<!" in html[start:end]:
            continue  # not plainly well formed, or a section starts here: left to the indexer
        out.append(html[position:start])
        out.append("<wbr>")
        position = scan = end
    out.append(html[position:])
    return "".join(out)


def _element_end(html: str, tag: str, start: int) -> int | None:
    """Where the element opened just before `start` ends, when everything inside it
    opens and closes in order; None otherwise.

    Material's indexer reads tags as a plain stack: an end tag that does not
    match the innermost open element is ignored, and an element of the same
    name inside an excluded one ends the exclusion early (its elements compare
    by name). Either way it indexes differently from "the element is gone",
    so such regions are left to it.
    """
    if tag in _VOID:
        return start
    stack = [tag]
    for match in _ANY_TAG.finditer(html, start):
        name = match.group(2).lower()
        if match.group(1):
            if stack[-1] != name:
                return None
            stack.pop()
            if not stack:
                return match.end()
        elif name in _VOID or match.group(3):
            continue
        elif name == tag or name in ("script", "style", "object"):
            return None
        else:
            stack.append(name)
    return None




def search_copy(html: str) -> str:
    """The HTML Material's indexer gets for a postmortem page (same index, less markup)."""
    html = _without_excluded(html)
    if "pmkb-tl-time" in html:
        html = _TIMELINE_MARKER.sub(lambda m: m.group(1) + (" " + m.group(2) if m.group(2) is not None else ""), html)
    return html


# What Material's indexer does something with: the tags it keeps in the index,
# headings (sections), and the elements whose content it skips. Any other tag
# only separates two pieces of text.
_MEANINGFUL = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup", "script", "style", "object"}) | {
    f"h{level}" for level in range(1, 7)
}
_PIECE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(/?)>|[^<]+|<")
_HEADING = re.compile(r"<h[1-6]\b", re.IGNORECASE)


def _flatten(html: str) -> str:
    """`html` without the tags the indexer ignores, their whitespace as it reads it.

    The indexer appends each piece of text between two tags: whitespace alone
    as one space (none after another), anything else as written. Text pieces
    that the removed tags separated are joined here with their whitespace
    pieces already reduced to that one space.
    """
    out: list[str] = []
    space = False  # the last piece kept was whitespace alone: no second space after it
    for match in _PIECE.finditer(html):
        name = match.group(2)
        if name is not None:
            if name.lower() in _MEANINGFUL:
                out.append(match.group(0))
                space = False
            continue
        text = match.group(0)
        if text.isspace():
            if not space:
                out.append(" ")
                space = True
        else:
            out.append(text)
            space = False
    # Whitespace alone at either end stays a piece of its own (the void `<wbr>` separates
    # it): the indexer joins it to the text around the block by that rule.
    if len(out) > 1 and out[0] == " " and not out[1].startswith("<"):
        out.insert(1, "<wbr>")
    if len(out) > 1 and out[-1] == " " and not out[-2].endswith(">"):
        out.insert(len(out) - 1, "<wbr>")
    return "".join(out)


def _reading(html: str) -> list[tuple[str, str | None, str, str, bool, bool]] | None:
    """What Material's indexer reads in `html` on its own, and whether its text starts
    and ends with whitespace alone (what decides how it joins the text around it)."""
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    if len(parser.data) != 1:
        return None  # a heading opens a section: left as it is
    section = parser.data[0]
    text = section.text
    return [(section.el.tag, section.id, "".join(section.title), "".join(text),
             bool(text) and text[0].isspace(), bool(text) and text[-1].isspace())]


def _plainly_balanced(html: str) -> bool:
    """Every element opens and closes in order, with no comment, script or style inside.

    The indexer ignores an end tag that does not close its innermost open
    element, and an exclusion lasts until an element of the same name closes:
    a block whose tags do not balance could change how it reads the page after
    the block, which a check of the block on its own cannot see.
    """
    lowered = html.lower()
    if "<!" in html or "<?" in html or "<script" in lowered or "<style" in lowered:
        return False
    stack: list[str] = []
    for match in _ANY_TAG.finditer(html):
        name = match.group(2).lower()
        if match.group(1):
            if not stack or stack.pop() != name:
                return False
        elif name not in _VOID and not match.group(3):
            stack.append(name)
    return not stack and html.count("<") == len(_ANY_TAG.findall(html))


def flat_block(block: str) -> str | None:
    """A copy of one HTML block that Material's indexer reads exactly as the block,
    with a fraction of its markup; None when that cannot be shown here.

    "Exactly" holds wherever the block sits in a page's body text, outside any
    heading and any `data-search-exclude` element, as the plugin's blocks do:
    they replace paragraphs of their own at the top level of a postmortem
    page, whose body cannot open an element around them (its raw HTML is
    shown as text). The tags the indexer keeps stay, so it treats them the
    same there; whitespace at the block's edges keeps its own pieces.

    Used for the postmortem pages composed beside the build (plugin/plugin.py):
    there, the proof (the indexer run over both) costs nothing on the way.
    """
    lean = search_copy(block)
    if not (lean.startswith("<") and lean.endswith(">")):
        return None  # text at an edge would run on into the page's text around the block
    if "<pre" in lean.lower():
        # Inside `<pre>` the indexer keeps whitespace as written and appends every piece
        # of it, so its reading of the block depends on the text before it.
        return None
    if "data-search-exclude" in lean or _HEADING.search(lean) or not _plainly_balanced(lean):
        # An exclusion the copy left to the indexer, a heading (its text goes to a title,
        # read by other rules), a comment, a script, a tag left open or closed twice: the
        # indexer's reading of the block, or of the page after it, could depend on the page.
        return None
    flat = _flatten(lean)
    # Tags at both edges, as the block has, so that its text stays apart from the page's.
    flat = ("" if flat.startswith("<") else "<wbr>") + flat + ("" if flat.endswith(">") else "<wbr>")
    if "data-search-exclude" in flat or search_copy(flat) != flat:
        return None
    try:
        expected = _reading(lean)
        if expected is None or _reading(flat) != expected:
            return None
    except Exception:  # noqa: BLE001 - HTML the indexer itself trips on: left as it is
        return None
    return flat
