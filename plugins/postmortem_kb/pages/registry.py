"""Which pages the plugin generates, in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.forked import Forked
from ..core.knowledge_base import PARALLEL_MIN_FILES, KnowledgeBase
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

# Generated in a second process when `parallel`: about half of the work, measured
# (warm) at 1,000 postmortems: categories + trends + action items 0.70 s, the rest
# 0.60 s; at 10,000: 5.6 s and 5.1 s.
_BESIDE = frozenset({"categories", "trends", "action items"})

def generate_pages(
    kb: KnowledgeBase, renderer: Renderer, options: Any, ctx: Context | None = None, *, parallel: bool = False
) -> list[GeneratedPage]:
    """Every generated page, always in the same order and with the same content.

    `parallel`: for a large knowledge base, part of the pages are generated in
    a forked child (see `core.forked`); only when this process has a single
    thread. The pages are the same either way.
    """
    # Every generated page shares one computed context (pass the build's own).
    ctx = ctx or build_context(kb, renderer, options)
    steps: list[tuple[str, Callable[[], list[GeneratedPage]]]] = [
        ("listing", lambda: [listing_page(ctx)]),
        ("categories", lambda: category_pages(ctx)),
        ("dimensions", lambda: dimension_pages(ctx)),
        ("trends", lambda: trends_pages(ctx)),
        ("action items", lambda: action_item_pages(ctx)),
        # Search (issue 4): the lessons page, and Pagefind's search page when enabled.
        ("lessons", lambda: [lessons_page(kb, renderer)]),
        ("search", lambda: [search_page()] if getattr(options, "pagefind", False) else []),
    ]
    if not parallel or len(kb.published) < PARALLEL_MIN_FILES:
        return [page for _, step in steps for page in step()]

    child = Forked(lambda: [step() for name, step in steps if name in _BESIDE])
    try:
        here = {name: step() for name, step in steps if name not in _BESIDE}
    except BaseException:
        child.cancel()
        raise
    away = dict(zip([name for name, _ in steps if name in _BESIDE], child.result(), strict=True))
    return [page for name, _ in steps for page in (away[name] if name in _BESIDE else here[name])]
