"""Neutralising pasted HTML in postmortem bodies: the site never runs what someone pasted.

A postmortem body is author Markdown, written under stress and often pasted
from chat, logs and tickets. Markdown passes raw HTML through untouched, so a
pasted `<script>` or `<img onerror=...>` would run on every reader's screen.
Two passes make that impossible, for postmortem pages only (pages in
`docs_dir` are the site maintainers' own and are left as they are):

1. `neutralise_markdown`, before Markdown renders the body: every `<` that
   opens an HTML tag is escaped to `&lt;` (so the tag shows as text), except
   a few attribute-free formatting tags (`ALLOWED_TAGS`), HTML comments and
   Markdown autolinks (`<https://...>`). Code spans and fenced code are left
   alone (Markdown escapes them itself); indented code blocks are not told
   apart from indented paragraphs, so a `<` there shows as `&lt;`: paste logs
   in fenced code. Lines are kept one for one, so the timeline and section
   line numbers stay valid.
2. `scrub_html`, on the rendered HTML: removes event-handler attributes
   (`on...=`, which `attr_list`'s `{: onclick=... }` could add) and neutralises
   `href`/`src` URLs whose scheme is not http(s), mailto or relative
   (`javascript:`, `data:`, `vbscript:`, including entity-encoded forms).
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = frozenset(
    {"br", "sub", "sup", "kbd", "mark", "del", "ins", "s", "u", "small", "b", "i", "em", "strong", "details", "summary", "abbr", "wbr", "hr"}
)
SAFE_SCHEMES = ("http", "https", "mailto")

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
# Something that opens a tag, a closing tag, a declaration or a processing instruction.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ALLOWED = re.compile(
    r"<(/?)(" + "|".join(sorted(ALLOWED_TAGS, key=len, reverse=True)) + r")[ \t]*/?>", re.IGNORECASE
)
_COMMENT = re.compile(r"<!--.*?-->")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>\"']*>", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")


def _neutralise_text(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _TAG_START.finditer(text):
        start = match.start()
        if start < position:
            continue
        out.append(text[position:start])
        rest = text[start:]
        keep = _ALLOWED.match(rest) or _COMMENT.match(rest) or _AUTOLINK.match(rest)
        if keep:
            out.append(keep.group(0))
            position = start + keep.end()
        else:
            out.append("&lt;")
            position = start + 1
    out.append(text[position:])
    return "".join(out)


def _neutralise_line(line: str) -> str:
    if "<" not in line:
        return line
    # Leave code spans as they are: Markdown shows their content verbatim, escaped.
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(_neutralise_text(line[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_neutralise_text(line[position:]))
    return "".join(parts)


def neutralise_markdown(markdown: str) -> str:
    """Escape raw HTML tags in Markdown (outside code), keeping the line count."""
    if "<" not in markdown:
        return markdown
    lines = markdown.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                continue
            lines[index] = _neutralise_line(line)
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
            fence = None
    return "\n".join(lines)


# A tag's text up to its `>` (or the next `<`), and an event handler in it. Both are
# linear: the handler must start where a run of whitespace starts (the lookbehind), so
# a long run of spaces is not tried again from each of its positions (quadratic: 100,000
# spaces in a link title took 40 s).
_TAG = re.compile(r"<[A-Za-z][^<>]*")
# An unquoted value stops at a quote: `title="z onclick=1"` keeps its closing quote.
_EVENT_ATTR = re.compile(r"""(?<!\s)\s+on[A-Za-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+)""", re.IGNORECASE)
_URL_ATTR = re.compile(r"""(\s(?:href|src|xlink:href|action|formaction|poster|srcset)\s*=\s*)("[^"]*"|'[^']*')""", re.IGNORECASE)


def _safe_url(value: str) -> bool:
    decoded = html.unescape(value)
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", decoded).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", cleaned)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


# A cheap first look (a literal-prefix search on the lowered text, about a tenth
# of the case-insensitive pattern's cost): no `on...=` anywhere means no handler.
_EVENT_HINT = re.compile(r"on[^\s=<>]*\s*=")


def _without_handlers(tag: re.Match[str]) -> str:
    text = tag.group(0)
    previous = None
    while previous != text:  # removing one may join text into another (`a onx=1onclick=2`)
        previous = text
        text = _EVENT_ATTR.sub("", text)
    return text


def scrub_html(text: str) -> str:
    """Remove event-handler attributes and script URLs from rendered HTML."""
    if _EVENT_HINT.search(text.lower()):
        text = _TAG.sub(_without_handlers, text)

    def url(match: re.Match[str]) -> str:
        quoted = match.group(2)
        return match.group(0) if _safe_url(quoted[1:-1]) else f'{match.group(1)}"#"'

    return _URL_ATTR.sub(url, text)
