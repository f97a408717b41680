"""Generated pages: the listing and the cross-incident index pages.

Each generator is a pure function of the knowledge base that returns
`GeneratedPage`s; the plugin turns them into MkDocs files, never replacing a
page an author wrote at the same path.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..render.blocks import block_marker, fill_blocks

__all__ = ["GeneratedPage", "block_marker", "fill_blocks"]


@dataclass(frozen=True, slots=True)
class GeneratedPage:
    """A page the plugin adds to the site.

    `src_uri` is the path MkDocs knows it by (`categories/index.md`),
    `title` is plain text (escaped by the plugin), `markdown` is the page
    body, usually raw HTML rendered with the autoescaping environment.
    `in_nav` pages may be listed in `nav:`; the others never reach the nav.
    """

    src_uri: str
    title: str
    markdown: str
    in_nav: bool = False
    search_exclude: bool = False
    # Issue 3: large HTML blocks kept out of Markdown (its HTML parser is the
    # slowest step on big index pages). `markdown` holds `block_marker(i)`
    # tokens; the plugin puts `blocks[i]` in their place after conversion.
    blocks: tuple[str, ...] = ()
