"""The pieces of a postmortem the rules look at, with their file lines.

A `Segment` is a run of text (the front matter, or the body) and the file
line its first character is on. Everything a rule needs beyond the raw text
is computed lazily, because in a clean document most of it is never asked
for: the `shape` that anchors are searched in, the masked body (code, HTML
comments and link targets blanked out, same offsets), the `## Action Items`
section, the front matter's prose value ranges.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

import yaml

from ..core.body import iter_lines_outside_code

try:  # libyaml's parser, as core/yamlnodes.py uses (marks count characters in both)
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

_SHAPE = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"abcdefghijklmnopqrstuvwxyz0000000000"
)
# Every byte that is not a lowercase letter or a digit becomes a space: the
# shape's words, as a set, gate which anchors are searched at all.
_WORDS = bytes(c if (97 <= c <= 122 or c == 48) else 32 for c in range(256))
_MASK = re.compile(
    r"<!--.*?-->"  # HTML comments (lint directives live here)
    r"|(?P<ticks>`+)[^\n]+?(?P=ticks)(?!`)"  # inline code
    r"|\]\([^)\n]*\)"  # Markdown link targets
    r"|<https?://[^>\s]*>|https?://[^\s)<>\]]+",  # autolinks and bare URLs
    re.DOTALL,
)
_ACTION_HEADING = re.compile(r"^##[ \t]+action[ \t]+items[ \t]*#*[ \t]*$", re.IGNORECASE | re.MULTILINE)
_TOP_HEADING = re.compile(r"^#{1,2}[ \t]", re.MULTILINE)


def shape_of(text: str) -> bytes:
    """ASCII letters lowercased, digits as `0`, anything else one byte: offsets are kept.

    Anchors are searched here with `bytes.find`, much faster than `str.find`
    or a regex scan on text with non-ASCII characters.
    """
    return text.encode("ascii", "replace").translate(_SHAPE)


def mask_markdown(body: str, fenced: bool | None = None) -> str:
    """The body with code, comments and link targets blanked out (same length)."""
    lines = body.split("\n")
    if fenced or (fenced is None and ("```" in body or "~~~" in body)):
        outside = {index for index, _ in iter_lines_outside_code(lines)}
        lines = [line if index in outside else " " * len(line) for index, line in enumerate(lines)]
        body = "\n".join(lines)
    return _MASK.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)


class Segment:
    """A whole document as one text: front matter, then the body from `body_start` on.

    One text rather than two halves each rule searches the file once. The
    closing `---` line is kept as an empty line, so lines stay the file's.
    """

    __slots__ = ("text", "first_line", "body_start", "_starts", "_shape", "_words", "_masked", "_actions")

    def __init__(self, text: str, first_line: int, body_start: int = 0) -> None:
        self.text = text
        self.first_line = first_line
        self.body_start = body_start
        self._starts: list[int] | None = None
        self._shape: bytes | None = None
        self._words: frozenset[bytes] | None = None
        self._masked: str | None = None
        self._actions: tuple[int, int] | None = None

    @property
    def shape(self) -> bytes:
        if self._shape is None:
            self._shape = shape_of(self.text)
        return self._shape

    @property
    def words(self) -> frozenset[bytes]:
        """Every word of the shape (runs of lowercase letters and `0`)."""
        if self._words is None:
            self._words = frozenset(self.shape.translate(_WORDS).split())
        return self._words

    def words_among(self, vocabulary: frozenset[bytes]) -> frozenset[bytes]:
        """The words of `vocabulary` the text holds: `words & vocabulary`, without building `words`."""
        if self._words is not None:
            return self._words & vocabulary
        return vocabulary.intersection(self.shape.translate(_WORDS).split())

    def position(self, offset: int) -> tuple[int, int]:
        """(file line, 1-based column) of `offset`."""
        if self._starts is None:
            self._starts = list(accumulate((len(line) + 1 for line in self.shape.split(b"\n")), initial=0))
        index = bisect_right(self._starts, offset) - 1
        return self.first_line + index, offset - self._starts[index] + 1

    def in_code(self, offset: int) -> bool:
        """True when `offset` is, in the body, inside code, an HTML comment or a link target."""
        if offset < self.body_start:
            return False
        if self._masked is None:
            self._masked = mask_markdown(self.text[self.body_start :], b"```" in self.shape or b"~~~" in self.shape)
        return self._masked[offset - self.body_start] != self.text[offset]

    def action_section(self) -> tuple[int, int]:
        """Offsets of the body's `## Action Items` section content, (0, 0) when absent."""
        if self._actions is None:
            self._actions = (0, 0)
            shape, text = self.shape, self.text
            fenced = b"```" in shape or b"~~~" in shape
            position = shape.find(b"## action items", self.body_start)
            while position != -1:
                line_start = shape.rfind(b"\n", 0, position) + 1
                match = _ACTION_HEADING.match(text, line_start)
                if match and line_start >= self.body_start and not (fenced and self.in_code(position)):
                    following = _TOP_HEADING.search(text, match.end())
                    self._actions = (match.end(), following.start() if following else len(text))
                    break
                position = shape.find(b"## action items", position + 1)
        return self._actions


def join_document(front_matter: str, front_matter_line: int, body: str, body_line: int) -> Segment:
    """One `Segment` for front matter and body, with the lines in between kept empty."""
    if not front_matter and front_matter_line == body_line:
        return Segment(body, body_line)
    gap = body_line - front_matter_line - front_matter.count("\n")  # 2: the closing `---` line
    head = front_matter + "\n" * gap
    return Segment(head + body, front_matter_line, len(head))


def yaml_value_spans(front_matter: str) -> list[tuple[int, int]] | None:
    """Offsets `(start, end)` of every scalar of the front matter, keys included, in order;
    None when it does not parse.

    What lies outside them is YAML syntax or a comment (`trigger: push  # human error`): the
    prose rules read only values. Parsed again from the text, because the loaded tree keeps
    lines, not offsets; only for a candidate in the front matter, so a clean file never does.
    """
    spans: list[tuple[int, int]] = []
    try:
        for event in yaml.parse(front_matter, Loader=_EventLoader):
            if isinstance(event, yaml.ScalarEvent):
                spans.append((event.start_mark.index, event.end_mark.index))
    except yaml.YAMLError:
        return None
    return spans


# Front-matter values that are prose (the blameless rules read them).
PROSE_KEYS = ("title", "summary", "trigger")


def _ends(mapping: Any, end: int) -> dict[str, int]:
    """For each key of a `Y` mapping, the YAML line where its value's text ends (exclusive)."""
    lines = sorted((line, key) for key, line in (mapping.key_lines or {}).items())
    out: dict[str, int] = {}
    for index, (_, key) in enumerate(lines):
        out[key] = lines[index + 1][0] if index + 1 < len(lines) else end
    return out


def front_matter_ranges(root: Any, yaml_lines: int, offset: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(prose ranges, action-title ranges) as inclusive file-line ranges.

    A value's range runs from its first line to the line before the next key,
    so a folded `summary: >-` is read on its real lines. `offset` maps YAML
    line numbers to file lines.
    """
    prose: list[tuple[int, int]] = []
    actions: list[tuple[int, int]] = []
    if root is None or getattr(root, "kind", None) != "map":
        return prose, actions
    top = _ends(root, yaml_lines + 1)

    def add(target: list[tuple[int, int]], node: Any, end: int) -> None:
        if node.kind == "str":
            target.append((node.line + offset, max(node.line, end - 1) + offset))

    fields = root.value
    for key in PROSE_KEYS:
        if key in fields:
            add(prose, fields[key], top[key])
    impact = fields.get("impact")
    if impact is not None and impact.kind == "map" and "revenue" in impact.value:
        add(prose, impact.value["revenue"], _ends(impact, top["impact"])["revenue"])
    for key, target, child in (("contributing_factors", prose, "description"), ("action_items", actions, "title")):
        items = fields.get(key)
        if items is None or items.kind != "seq":
            continue
        for index, item in enumerate(items.value):
            item_end = items.value[index + 1].line if index + 1 < len(items.value) else top[key]
            if item.kind == "map" and child in item.value:
                add(target, item.value[child], _ends(item, item_end)[child])
    return prose, actions


def people_names(root: Any) -> frozenset[str]:
    """Lowercase words of the people the front matter names (authors, reviewers, owners)."""
    if root is None or getattr(root, "kind", None) != "map":
        return frozenset()
    words: set[str] = set()

    def add(node: Any) -> None:
        if node.kind == "str" and any(ch.isupper() for ch in node.text):
            words.update(w.lower() for w in re.findall(r"[^\W\d_]{2,}", node.text))

    fields = root.value
    for key in ("authors", "reviewers"):
        node = fields.get(key)
        if node is not None and node.kind == "seq":
            for item in node.value:
                add(item)
    items = fields.get("action_items")
    if items is not None and items.kind == "seq":
        for item in items.value:
            if item.kind == "map" and "owner" in item.value:
                add(item.value["owner"])
    return frozenset(words)
