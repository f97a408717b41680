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

# Generated in a second process when `parallel`: about half of the work, so that
# neither process waits long for the other. One process, warm, at 1,000: listing
# 0.05 s, categories 0.33, dimensions 0.31, trends 0.26, action items 0.26,
# lessons 0.19 (each process renders the rows it uses once). The whole
# generation, parallel, medians of 7 runs (2 at 10,000): 0.78 s at 1,000 and
# 7.5 s at 10,000 with these in the child; 0.94 s and 8.7 s with categories,
# trends and action items there.
_BESIDE = frozenset({"categories", "trends", "lessons"})

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
