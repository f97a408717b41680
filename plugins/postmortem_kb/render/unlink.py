"""Links to postmortems a build leaves out become plain text.

A public postmortem may link, in its body, to an internal one. The public
site does not have that page: MkDocs would keep a link to a page that does
not exist (and its address names the incident). The link's text is the
author's and stays; the link goes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from urllib.parse import urljoin, urlsplit

_ANCHOR = re.compile(r'<a\s[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_BASE = "http://site.invalid/"


def unlink(html_text: str, page_url: str, left_out: Collection[str]) -> tuple[str, list[str]]:
    """`html_text` with each `<a>` to one of `left_out` (site-relative page URLs, like
    `postmortems/2024/x/`) replaced by its content, and the URLs it unlinked."""
    if not left_out or "<a" not in html_text:
        return html_text, []
    page = urljoin(_BASE, page_url)
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        href = html.unescape(match.group(1))
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            return match.group(0)  # another site, or an anchor on this page
        target = urlsplit(urljoin(page, parts.path)).path[1:]
        if target.endswith("/index.html"):
            target = target[: -len("index.html")]
        if target not in left_out:
            return match.group(0)
        found.append(target)
        return f'<span class="pmkb-left-out">{match.group(2)}</span>'

    return _ANCHOR.sub(replace, html_text), found
