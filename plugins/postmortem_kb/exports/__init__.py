"""Machine-readable exports written after the build (incidents.json, CSVs,
the JSON Schema, the feed). Filled in by `write_exports`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.knowledge_base import KnowledgeBase


def write_exports(kb: KnowledgeBase, site_dir: Path, options: Any, site_url: str | None) -> list[str]:
    """Write the exports into `site_dir`; returns the paths written (relative)."""
    return []
