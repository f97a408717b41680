"""Issue 6: a page split into search sections ahead of time, for Material's indexer.

Material's search plugin indexes each page in `on_page_context`: its HTML
`Parser` splits `page.content` into sections (about 2 ms a postmortem page
here, the largest cost left in MkDocs' last loop), then each section becomes
an entry from the page's table of contents, URL and metadata.

The splitting depends on the HTML only. The child that converts a share of
the postmortem pages (`plugin/prerender.py`) also splits the HTML the indexer
will read, with the same `Parser`, and sends the sections with a digest of
the page they come from. Here, when the page reaching the indexer is that
page, the indexer is given those sections instead of splitting it again; the
entries are then made here, by Material's own `create_entry_for_section`,
from the page as it is here. Any other page is indexed as always.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

try:
    from material.plugins.search.plugin import Parser, SearchIndex
except ImportError:  # pragma: no cover - Material is a dependency; other themes' search plugins differ
    Parser = SearchIndex = None  # type: ignore[assignment,misc]

# Set on an index whose `add_entry_from_context` takes sections split elsewhere.
_INSTALLED = "_pmkb_presplit"


def available() -> bool:
    """Whether Material's indexer has the parts this module relies on."""
    return Parser is not None and all(
        callable(getattr(SearchIndex, name, None)) for name in ("add_entry_from_context", "create_entry_for_section")
    )


def digest(html: str) -> bytes:
    """Identifies the HTML a split was made from (cheaper to send and compare than the HTML)."""
    return hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def split(html: str) -> list[Any]:
    """The sections Material's indexer makes of `html` (what `add_entry_from_context` parses)."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return parser.data


def install(index: Any, take: Callable[[Any], list[Any] | None]) -> None:
    """Have `index` use `take(page)`'s sections when it returns some, and split the page itself otherwise."""
    if getattr(index, _INSTALLED, False):
        return
    split_here = index.add_entry_from_context

    def add_entry_from_context(page: Any) -> None:
        sections = take(page)
        if sections is None:
            return split_here(page)
        # Material's own method from here on, with the sections given.
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return None
        for section in sections:
            if not section.is_excluded():
                index.create_entry_for_section(section, page.toc, page.url, page)
        return None

    index.add_entry_from_context = add_entry_from_context
    setattr(index, _INSTALLED, True)
