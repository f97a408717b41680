"""Run Pagefind over a built site (the optional `pagefind` extra).

Pagefind reads the `data-pagefind-*` attributes of the postmortem pages (the
header partial sets filters for category, service, team, severity and year,
a `date` sort and `summary` meta) and writes its index and UI into
`site/pagefind/`, so everything is served from the site itself.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

OUTPUT = "pagefind"


class PagefindUnavailable(RuntimeError):
    """The `pagefind` package (with its binary) is not installed."""


@dataclass(frozen=True, slots=True)
class PagefindResult:
    pages: int
    output: Path
    bytes: int


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_pagefind(site_dir: Path) -> PagefindResult:
    """Index `site_dir` and write `site_dir/pagefind/`."""
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise PagefindUnavailable(
            "Pagefind is not installed: pip install 'postmortem-kb[pagefind]' (or set `pagefind: false`)"
        ) from exc

    site_dir = Path(site_dir).resolve()
    output = site_dir / OUTPUT

    async def _index() -> int:
        # `.headerlink`: Material's "¶" after each heading, which would end every sub-result's title.
        config = IndexConfig(output_path=str(output), force_language="en", exclude_selectors=[".headerlink"])
        async with PagefindIndex(config=config) as index:
            result = await index.add_directory(str(site_dir), glob="**/*.html")
            return int(result.get("page_count", 0))

    previous = os.getcwd()
    try:
        pages = asyncio.run(_index())
    except Exception as exc:
        if "executable" in str(exc).lower() or isinstance(exc, FileNotFoundError):
            raise PagefindUnavailable(f"the Pagefind binary could not be started: {exc}") from exc
        raise
    finally:
        os.chdir(previous)
    entry = output / "pagefind-entry.json"
    if entry.is_file():  # pages actually indexed (only those with data-pagefind-body)
        import json

        languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
        pages = sum(int(lang.get("page_count", 0)) for lang in languages.values())
    return PagefindResult(pages, output, _size(output) if output.is_dir() else 0)
