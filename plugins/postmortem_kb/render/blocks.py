"""HTML blocks kept out of Markdown.

Python-Markdown handles raw HTML slowly: its HTML parser reads the whole page
when there is any, and every inline tag or comment splits the text its inline
patterns then run over, so pages do not hand it their HTML. They carry
`block_marker(i)` tokens instead, plain words Markdown leaves alone (a block
marker on its own line becomes a paragraph of its own), and the plugin puts
`blocks[i]` in their place after conversion.

A token holds a random part chosen when the process starts, so text in a
postmortem cannot name one: a postmortem's body never turns into a block.
"""

from __future__ import annotations

import re
import secrets

_PREFIX = f"pmkb{secrets.token_hex(6)}x"
# `<p>TOKEN</p>`: a block marker that stood alone (its paragraph goes too); TOKEN: one inline.
_MARKER = re.compile(rf"<p>{_PREFIX}(\d+)z</p>|{_PREFIX}(\d+)z")


def block_marker(index: int) -> str:
    return f"{_PREFIX}{index}z"


def fill_blocks(html: str, blocks: tuple[str, ...]) -> str:
    """The rendered page with each block marker replaced by its HTML (an unknown one by nothing)."""
    if not blocks:
        return html

    def block(match: re.Match[str]) -> str:
        index = int(match.group(1) or match.group(2))
        return blocks[index] if index < len(blocks) else ""

    return _MARKER.sub(block, html)
