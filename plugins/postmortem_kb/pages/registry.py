"""Which pages the plugin generates, in one place."""

from __future__ import annotations

from typing import Any

from ..core.knowledge_base import KnowledgeBase
from ..render.environment import Renderer
from . import GeneratedPage
from .action_items import action_item_pages
from .categories import category_pages
from .context import Context, build_context
from .dimensions import dimension_pages
from .lessons import lessons_page
from .listing import listing_page
from .search_page import search_page
from .trends import trends_pages


def generate_pages(
    kb: KnowledgeBase, renderer: Renderer, options: Any, ctx: Context | None = None
) -> list[GeneratedPage]:
    # Every generated page shares one computed context (pass the build's own).
    ctx = ctx or build_context(kb, renderer, options)
    pages = [listing_page(ctx)]
    pages += category_pages(ctx)
    pages += dimension_pages(ctx)
    pages += trends_pages(ctx)
    pages += action_item_pages(ctx)
    # Search (issue 4): the lessons page, and Pagefind's search page when enabled.
    pages.append(lessons_page(kb, renderer))
    if getattr(options, "pagefind", False):
        pages.append(search_page())
    return pages
