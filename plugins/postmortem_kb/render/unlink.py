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
from urllib.parse import unquote, urljoin, urlsplit

# An attribute's value, however it is quoted (raw HTML in a page may use any form).
_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
_ANCHOR = re.compile(r"<a\b[^>]*?\bhref" + _VALUE + r"[^>]*>(.*?)</a\s*>", re.DOTALL | re.IGNORECASE)
# Other attributes that fetch or lead to a page: emptied (an image shows its alt text).
_SOURCE = re.compile(
    r"(<(?:img|iframe|embed|source|video|audio|track|input)\b[^>]*?\b(?:src|poster)"
    r"|<object\b[^>]*?\bdata|<area\b[^>]*?\bhref|<form\b[^>]*?\baction|<(?:button|input)\b[^>]*?\bformaction)"
    + _VALUE,
    re.IGNORECASE,
)
_HREF = re.compile(r"""\b(?:href|src|poster|data|action|formaction)\s*=\s*["']?([^"'\s>#?]*)""", re.IGNORECASE)
_BASE = "http://site.invalid/"


def _name(path: str) -> str:
    """The last segment of a page's path: `b` for `../2023/b/`, `../2023/b/index.html`, `b.html`."""
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name[:-5] if name.endswith(".html") else name


class LeftOut:
    """The pages of the postmortems a build leaves out (site-relative URLs, `postmortems/2024/x/`)."""

    def __init__(self, urls: Iterable[str] = (), sources: Iterable[str] = ()) -> None:
        self.urls = frozenset(urls)
        self.sources = frozenset(sources)  # their source paths, as MkDocs knows the files
        self._names = frozenset(_name(url) for url in self.urls) | frozenset(_name(src) for src in self.sources)

    def names_page(self, link: str, site_url: str = "") -> bool:
        """Whether a site-absolute link (`/postmortems/x.md`, `/postmortems/x/`, or one under
        `site_url`) leads to a left-out page."""
        if site_url and link.startswith(site_url):
            link = link[len(site_url):]
        elif urlsplit(link).scheme:
            return False
        return self._page(unquote(urlsplit(html.unescape(link)).path).lstrip("/")) is not None

    def _page(self, path: str) -> str | None:
        """The left-out page a site-relative path names, or None: its URL (`x/`,
        `x/index.html`, or `x` without its slash), or its source path (`x.md`, which an
        absolute link or a nav entry may give)."""
        if path.endswith("index.html"):
            path = path[: -len("index.html")]
        if path in self.urls or path in self.sources:
            return path
        return path + "/" if path + "/" in self.urls else None

    def __bool__(self) -> bool:
        return bool(self.urls)

    def unlink(self, html_text: str, page_url: str) -> tuple[str, list[str]]:
        """`html_text` with each `<a>` to a left-out page replaced by its content, and
        the URLs it unlinked."""
        # Most pages link to none: their hrefs' last segments say so without resolving any.
        if not self.urls or not any(
            _name(unquote(html.unescape(href)) if ("&" in href or "%" in href) else href) in self._names
            for href in _HREF.findall(html_text)
        ):
            return html_text, []
        page = urljoin(_BASE, page_url)
        found: list[str] = []

        def left_out(*values: str | None) -> str | None:
            """The left-out page a URL (one of `values`, as the quoting allowed) leads to."""
            raw = next((value for value in values if value is not None), "")
            parts = urlsplit(html.unescape(raw))
            if parts.scheme or parts.netloc or not parts.path:
                return None  # another site, or an anchor on this page
            return self._page(unquote(urlsplit(urljoin(page, parts.path)).path[1:]))

        def link(match: re.Match[str]) -> str:
            target = left_out(*match.group(1, 2, 3))
            if target is None:
                return match.group(0)
            found.append(target)
            return f'<span class="pmkb-left-out">{match.group(4)}</span>'

        def source(match: re.Match[str]) -> str:
            target = left_out(*match.group(2, 3, 4))
            if target is None:
                return match.group(0)
            found.append(target)
            return f'{match.group(1)}=""'  # an image shows its alt text; nothing is fetched

        return _SOURCE.sub(source, _ANCHOR.sub(link, html_text)), found

