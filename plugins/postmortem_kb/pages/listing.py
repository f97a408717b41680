"""The "Postmortems" listing page: every published postmortem, newest first."""

from __future__ import annotations

from ..core.knowledge_base import KnowledgeBase
from ..render import urls
from ..render.environment import Renderer
from . import GeneratedPage


def listing_page(kb: KnowledgeBase, renderer: Renderer) -> GeneratedPage:
    page = urls.LISTING
    rows = renderer.render(
        "listing",
        postmortems=kb.published,
        page=page,
        settings=kb.settings,
        urls=urls,
    )
    count = len(kb.published)
    markdown = (
        "# Postmortems\n\n"
        f"{count} postmortem{'s' if count != 1 else ''}, newest first. "
        "Browse them by [contributing factor](../categories/index.md), [service](../services/index.md), "
        "[team](../teams/index.md), [severity](../severities/index.md) or [year](../years/index.md).\n\n"
        f"{rows}\n"
    )
    return GeneratedPage(urls.src_uri(page), "Postmortems", markdown, in_nav=True, search_exclude=True)
