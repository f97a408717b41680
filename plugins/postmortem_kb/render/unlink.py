"""Links to postmortems a build leaves out become plain text.

A public postmortem may link, in its body, to an internal one. The public
site does not have that page: MkDocs would keep a link to a page that does
not exist (and its address names the incident). The link's text is the
author's and stays; the link goes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

_ANCHOR = re.compile(r'<a\s[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_HREF = re.compile(r'href="([^"#?]*)')
_BASE = "http://site.invalid/"


def _name(path: str) -> str:
    """The last segment of a page's path: `b` for `../2023/b/`, `../2023/b/index.html`, `b.html`."""
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name[:-5] if name.endswith(".html") else name


class LeftOut:
    """The pages of the postmortems a build leaves out (site-relative URLs, `postmortems/2024/x/`)."""

    def __init__(self, urls: Iterable[str] = ()) -> None:
        self.urls = frozenset(urls)
        self._names = frozenset(_name(url) for url in self.urls)

    def __bool__(self) -> bool:
        return bool(self.urls)

    def unlink(self, html_text: str, page_url: str) -> tuple[str, list[str]]:
        """`html_text` with each `<a>` to a left-out page replaced by its content, and
        the URLs it unlinked."""
        # Most pages link to none: their hrefs' last segments say so without resolving any.
        if not self.urls or not any(_name(href) in self._names for href in _HREF.findall(html_text)):
            return html_text, []
        page = urljoin(_BASE, page_url)
        found: list[str] = []

        def replace(match: re.Match[str]) -> str:
            parts = urlsplit(html.unescape(match.group(1)))
            if parts.scheme or parts.netloc or not parts.path:
                return match.group(0)  # another site, or an anchor on this page
            target = urlsplit(urljoin(page, parts.path)).path[1:]
            if target.endswith("/index.html"):
                target = target[: -len("index.html")]
            if target not in self.urls:
                return match.group(0)
            found.append(target)
            return f'<span class="pmkb-left-out">{match.group(2)}</span>'

        return _ANCHOR.sub(replace, html_text), found
