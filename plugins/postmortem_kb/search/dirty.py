"""Material's search index across `mkdocs serve --dirty` rebuilds.

Material keeps the previous index and, on a dirty rebuild, drops the previous
entries of one page only: the first page rendered (its comment: "the list of
entries will only contain sections for a single page"). A dirty rebuild here
renders more than one page whenever an edit changes generated pages (the
listing, a category...), so their old entries stayed beside the new ones, one
more copy at each rebuild. `merge` rebuilds the index from the last correct
one instead: every page rendered in this build replaces all its old entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def page_of(location: str) -> str:
    """The page an entry belongs to: its location without the `#section`."""
    return location.split("#", 1)[0]


def merge(
    previous: list[dict[str, Any]],
    fresh: list[dict[str, Any]],
    rendered: Iterable[str],
    pages: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The index after a dirty rebuild: `previous` (the index after the last build)
    without the entries of the pages rendered now, then `fresh` (this build's entries,
    taken before Material merges them). A page rendered with no entries (excluded
    from search) loses its old ones; with `pages` (the URLs of this build's pages), so
    does a page that is gone (deleted, renamed, now a draft)."""
    rendered = set(rendered)
    current = set(pages) if pages is not None else None
    kept = []
    for entry in previous:
        page = page_of(entry.get("location", ""))
        if page not in rendered and (current is None or page in current):
            kept.append(entry)
    return kept + fresh
