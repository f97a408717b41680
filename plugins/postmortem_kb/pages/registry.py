"""Which pages the plugin generates, in one place."""

from __future__ import annotations

from typing import Any

from ..core.knowledge_base import KnowledgeBase
from ..render.environment import Renderer
from . import GeneratedPage
from .dimensions import dimension_pages
from .listing import listing_page


def generate_pages(kb: KnowledgeBase, renderer: Renderer, options: Any) -> list[GeneratedPage]:
    pages = [listing_page(kb, renderer)]
    pages += dimension_pages(kb, renderer)
    return pages
