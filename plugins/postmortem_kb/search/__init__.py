"""Search: pure helpers for Material's built-in search and for Pagefind.

- `page_search_meta` / `generated_search_meta`: what goes into `page.meta["search"]`
  (Material's per-page `boost` and `exclude`).
- `pagefind_body`: wraps a postmortem's rendered HTML in `data-pagefind-body`,
  so Pagefind indexes postmortem bodies only.
- `pagefind.run_pagefind`: indexes a built site (the only part that is not pure).
"""

from __future__ import annotations

from ..render import urls

#: Material's document boost for postmortem pages. Every section of a
#: postmortem page (summary, factors, lessons) weighs twice as much as the
#: same words on any other page, so postmortems come before guides and the
#: lessons page.
POSTMORTEM_BOOST = 2.0

#: The lessons page gathers every lesson: it is searchable (lessons can be
#: found as lessons) but ranks below the postmortem each lesson comes from.
LESSONS_BOOST = 0.5

#: Generated pages that only list postmortems (titles and summaries that are
#: already indexed on the postmortems themselves): excluded from search so they
#: do not crowd the results.
_LISTING_PREFIXES = (
    urls.LISTING,
    urls.CATEGORIES,
    urls.SERVICES,
    urls.TEAMS,
    urls.SEVERITIES,
    urls.YEARS,
    urls.ACTION_ITEMS,
    urls.TRENDS,
    "search/",
)


def page_search_meta() -> dict[str, float]:
    """`page.meta["search"]` of a postmortem page."""
    return {"boost": POSTMORTEM_BOOST}


def generated_search_meta(src_uri: str) -> dict[str, object] | None:
    """`page.meta["search"]` of a generated page, or None to leave it as is."""
    if src_uri == urls.src_uri(urls.LESSONS):
        return {"boost": LESSONS_BOOST}
    if src_uri.startswith(_LISTING_PREFIXES):
        return {"exclude": True}
    return None


_RELATED = '<ul class="pmkb-related">'


def pagefind_body(html: str) -> str:
    """Mark a postmortem page's content as the part Pagefind indexes.

    The "Related incidents" list names other postmortems: it stays out of both
    indexes, so a postmortem is not found for another one's title.
    """
    html = html.replace(_RELATED, '<ul class="pmkb-related" data-search-exclude data-pagefind-ignore>')
    return f'<div class="pmkb-pagefind-body" data-pagefind-body>\n{html}\n</div>'
