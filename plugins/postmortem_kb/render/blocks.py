"""HTML blocks kept out of Markdown.

Python-Markdown's raw-HTML handling is the slowest step of a build on large
pages (quadratic in the block's size), so pages carry `block_marker(i)`
comments and the plugin puts `blocks[i]` in their place after conversion.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"<!--pmkb-block-(\d+)-->")


def block_marker(index: int) -> str:
    return f"<!--pmkb-block-{index}-->"


def fill_blocks(html: str, blocks: tuple[str, ...]) -> str:
    """The rendered page with each block marker replaced by its HTML."""
    if not blocks:
        return html
    parts = _MARKER.split(html)
    out = parts[0::2]
    for i, number in enumerate(parts[1::2]):
        index = int(number)
        out[i] += blocks[index] if index < len(blocks) else ""
    return "".join(out)
