"""A line-by-line reader for the plain subset of YAML that front matter nearly always is.

`postmortem check` loads the front matter of every file, and libyaml's event
stream, turned into Python objects one event at a time, is most of the cost
of checking a file. Front matter is almost always written in a small, regular
part of YAML: `key: value` lines, block lists and lists of mappings, one-line
`[a, b]` lists, quoted strings without escapes, and `>`/`|` paragraphs. This
module reads exactly that part, line by line, and builds the same `Y` tree as
`yamlnodes.load` (same kinds, values, raw text, lines and sizes; the tests
compare the two on every sample, benchmark and fuzzed document).

It gives up (returns None) on anything else, and on anything it is not sure
libyaml reads the same way: tabs, anchors, aliases, tags, escapes, multi-line
plain or quoted scalars, flow mappings, empty values, comments after a block
scalar's indicator, unusual indentation, document markers, duplicate keys.
Then `yamlnodes.load` reads the text with libyaml, which also reports every
error: this reader never reports one and never accepts a document libyaml
would refuse.
"""

from __future__ import annotations

import re

from .yamlnodes import _STR_TAG, _TAG, MAX_VALUES, Y, YamlError, _plain_tag, _plain_tags, _scalar_value

# YAML's printable characters minus tab, NEL, the BOM and the Unicode line and
# paragraph separators (libyaml counts those as line breaks: lines would differ).
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$")
# What may not start a plain scalar (YAML's indicators; `-?:` only in some cases: never here).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What may not appear inside a one-line flow list read here.
_FLOW_BAD = re.compile(r"[\[\]{}\"'#:&*!|>%@`]")
_TRAILER = re.compile(r" +(?:#.*)?$")  # after a closing quote or bracket: spaces, a comment
_TIMESTAMP_TAG = _TAG + "timestamp"
_BLOCK_HEADERS = frozenset((">", "|", ">-", "|-"))
_MAX_DEPTH = 8


class _Unsupported(Exception):
    """Outside the subset: libyaml reads this document."""


def load_subset(text: str) -> Y | None:
    """The `Y` tree of `text` when it is in the subset, else None (use `yamlnodes.load`)."""
    if _UNSAFE.search(text) is not None:
        return None
    try:
        return _Reader(text.split("\n")).document()
    except (_Unsupported, YamlError):
        return None


class _Reader:
    __slots__ = ("lines", "next", "total")

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.next = 0  # index of the next line not consumed
        self.total = 0  # values so far (the limit is libyaml's path's to report)

    def peek(self) -> int:
        """Index of the next line that is neither blank nor a comment (-1 at the end)."""
        lines = self.lines
        index = self.next
        while index < len(lines):
            stripped = lines[index].lstrip(" ")
            if stripped and stripped[0] != "#":
                self.next = index
                return index
            index += 1
        self.next = index
        return -1

    def document(self) -> Y:
        index = self.peek()
        if index == -1:
            raise _Unsupported  # empty: libyaml says what it is
        for line in self.lines:
            if line.startswith(("---", "...", "%")):
                raise _Unsupported  # document markers and directives
        if self.lines[index][:1] == " ":
            raise _Unsupported
        root = self.mapping(0, None, index + 1, 1)
        if self.peek() != -1:
            raise _Unsupported
        return root

    def mapping(self, indent: int, first: str | None, first_line: int, depth: int) -> Y:
        """A block mapping at `indent`; `first` is its first entry when it follows `- `."""
        if depth > _MAX_DEPTH:
            raise _Unsupported
        lines = self.lines
        items: dict[str, Y] = {}
        key_lines: dict[str, int] = {}
        node = Y("map", items, first_line, key_lines=key_lines)
        size = 0
        while True:
            if first is not None:
                content, line = first, first_line
                first = None
            else:
                index = self.peek()
                if index == -1:
                    break
                text = lines[index]
                found = len(text) - len(text.lstrip(" "))
                if found < indent:
                    break
                if found > indent:
                    raise _Unsupported  # a continuation line, or indentation YAML may refuse
                content, line = text[indent:], index + 1
                self.next = index + 1
            match = _KEY.match(content)
            if match is None:
                raise _Unsupported
            key = match.group(1)
            if _plain_tag(key) != _STR_TAG:
                raise _Unsupported  # `true:`, `null:`: typed keys
            if key in items:
                raise _Unsupported  # libyaml's path reports the duplicate
            value = self.value(match.group(2) or "", line, indent, depth)
            items[key] = value
            key_lines[key] = line
            size += value.size
        if not items:
            raise _Unsupported
        node.size = 1 + size
        return node

    def value(self, rest: str, line: int, indent: int, depth: int) -> Y:
        """The value after `key:` (on the key's line, or the block below it)."""
        if not rest or rest[0] == "#" or not rest.strip(" "):
            index = self.peek()
            if index == -1:
                raise _Unsupported  # an empty value
            text = self.lines[index]
            found = len(text) - len(text.lstrip(" "))
            if found <= indent:
                raise _Unsupported  # an empty value, or a list at the key's own indentation
            if text[found:].startswith("- "):
                return self.sequence(found, depth + 1)
            return self.mapping(found, None, index + 1, depth + 1)
        if rest.rstrip(" ") in _BLOCK_HEADERS:
            return self.block_scalar(rest.rstrip(" "), line, indent)
        return self.scalar(rest, line)

    def sequence(self, indent: int, depth: int) -> Y:
        """A block list at `indent` whose items start with `- `."""
        if depth > _MAX_DEPTH:
            raise _Unsupported
        lines = self.lines
        items: list[Y] = []
        node = Y("seq", items, self.peek() + 1)
        size = 0
        while True:
            index = self.peek()
            if index == -1:
                break
            text = lines[index]
            found = len(text) - len(text.lstrip(" "))
            if found < indent:
                break
            if found > indent or not text.startswith("- ", indent):
                raise _Unsupported
            after = text[indent + 2 :]
            if not after or after[0] == " ":
                raise _Unsupported  # an empty item, or unusual spacing
            self.next = index + 1
            if _KEY.match(after) is not None:
                item = self.mapping(indent + 2, after, index + 1, depth + 1)
            else:
                item = self.scalar(after, index + 1)
            items.append(item)
            size += item.size
        node.size = 1 + size
        return node

    def scalar(self, rest: str, line: int) -> Y:
        """A value written on one line: plain, quoted, or a `[a, b]` list."""
        first = rest[0]
        if first == '"':
            end = rest.find('"', 1)
            if end == -1:
                raise _Unsupported  # continues on the next line
            value = rest[1:end]
            if "\\" in value:
                raise _Unsupported  # escapes
            self.trailer(rest[end + 1 :])
            return self.count(Y("str", value, line, value, True))
        if first == "'":
            end = rest.find("'", 1)
            while end != -1 and rest[end + 1 : end + 2] == "'":
                end = rest.find("'", end + 2)
            if end == -1:
                raise _Unsupported
            value = rest[1:end].replace("''", "'")
            self.trailer(rest[end + 1 :])
            return self.count(Y("str", value, line, value, True))
        if first == "[":
            return self.flow_list(rest, line)
        if first in _INDICATORS:
            raise _Unsupported
        cut = rest.find(" #")
        value = (rest if cut == -1 else rest[:cut]).rstrip(" ")
        if ": " in value or value.endswith(":"):
            raise _Unsupported  # YAML refuses `a: b: c`
        return self.plain(value, line)

    def plain(self, value: str, line: int) -> Y:
        """A plain scalar, typed the way `yamlnodes` types it."""
        tag = _plain_tags.get(value) or _plain_tag(value)
        if tag is _STR_TAG or tag == _STR_TAG:
            return self.count(Y("str", value, line, value, False))
        if tag == _TIMESTAMP_TAG:
            return self.count(Y("timestamp", value, line, value, False))
        kind, constructed = _scalar_value(tag, value, line)
        return self.count(Y(kind, constructed, line, value, False))

    def flow_list(self, rest: str, line: int) -> Y:
        end = rest.find("]")
        if end == -1:
            raise _Unsupported  # continues on the next line
        inner = rest[1:end]
        if _FLOW_BAD.search(inner) is not None:
            raise _Unsupported
        self.trailer(rest[end + 1 :])
        items: list[Y] = []
        if inner.strip(" "):
            for part in inner.split(","):
                value = part.strip(" ")
                if not value or value[0] in "-?":
                    raise _Unsupported  # `[a,,b]`, `[a, b,]`, `[-1]`
                items.append(self.plain(value, line))
        return self.count(Y("seq", items, line, size=1 + len(items)))  # its items were counted

    def block_scalar(self, header: str, line: int, indent: int) -> Y:
        """`>`/`|` (clip) or `>-`/`|-` (strip) with lines all at one indentation."""
        lines = self.lines
        index = self.next
        content_indent = -1
        texts: list[str | None] = []  # None: an empty line
        last = -1  # index of the last content line
        while index < len(lines):
            text = lines[index]
            stripped = text.lstrip(" ")
            if not stripped:
                if content_indent == -1 or len(text) > content_indent:
                    raise _Unsupported  # leading empty lines, or spaces past the indentation
                texts.append(None)
                index += 1
                continue
            found = len(text) - len(stripped)
            if found <= indent:
                break
            if content_indent == -1:
                content_indent = found
            elif found != content_indent:
                raise _Unsupported  # more-indented lines: YAML's finer folding rules
            if text.endswith(" "):
                raise _Unsupported  # trailing spaces are content: left to libyaml
            texts.append(text[found:])
            last = index
            index += 1
        if content_indent == -1 or last == len(lines) - 1:
            raise _Unsupported  # empty, or no line break after its last line
        while texts[-1] is None:
            texts.pop()
        self.next = last + 1
        if header[0] == "|":
            value = "\n".join("" if t is None else t for t in texts)
        else:
            parts: list[str] = []
            empty = 0
            for t in texts:
                if t is None:
                    empty += 1
                    continue
                if parts:
                    parts.append("\n" * empty if empty else " ")
                parts.append(t)
                empty = 0
            value = "".join(parts)
        if len(header) == 1:
            value += "\n"
        return self.count(Y("str", value, line, value, False))

    def trailer(self, after: str) -> None:
        if after and _TRAILER.match(after) is None:
            raise _Unsupported

    def count(self, node: Y) -> Y:
        self.total += 1
        if self.total > MAX_VALUES:
            raise _Unsupported
        return node
