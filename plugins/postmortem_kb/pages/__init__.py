"""Generated pages: the listing and the cross-incident index pages.

Each generator is a pure function of the knowledge base that returns
`GeneratedPage`s; the plugin turns them into MkDocs files, never replacing a
page an author wrote at the same path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
    # comments; the plugin puts `blocks[i]` in their place after conversion.
    blocks: tuple[str, ...] = ()


def block_marker(index: int) -> str:
    return f"<!--pmkb-block-{index}-->"


def fill_blocks(html: str, blocks: tuple[str, ...]) -> str:
    """The rendered page with each block marker replaced by its HTML."""
    if not blocks:
        return html
    parts = re.split(r"<!--pmkb-block-(\d+)-->", html)
    out = parts[0::2]
    for i, number in enumerate(parts[1::2]):
        index = int(number)
        out[i] += blocks[index] if index < len(blocks) else ""
    return "".join(out)
