"""The home page's "at a glance" block, placed where the author writes
`<!-- postmortems:overview -->` in docs/index.md."""

from __future__ import annotations

from ..core.knowledge_base import KnowledgeBase
from ..render.environment import Renderer

MARKER = "<!-- postmortems:overview -->"


def overview_block(kb: KnowledgeBase, renderer: Renderer, page: str) -> str:
    return ""
