"""Safe YAML loading that keeps the line of every value.

Postmortems are plain data, so the loader accepts only YAML's standard types
and refuses, with a clear message and without expanding anything:

- explicit tags such as `!!python/object/apply` (never constructed);
- aliases whose expansion would exceed `MAX_VALUES` values (alias bombs);
- nesting deeper than `MAX_DEPTH` (the tree is built iteratively from
  libyaml's events, so deep input cannot exhaust the C stack either);
- front matter larger than `MAX_BYTES`.

The loader is built from the event stream of PyYAML's C parser where it is
available (about ten times faster than the pure-Python one), and keeps the
scalar text as written, because YAML's implicit typing (`yes` as a boolean,
`1.10` as a float, unquoted dates) is never trusted by the validator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:  # PyYAML built with libyaml
    from yaml import CSafeLoader as _Loader

    HAS_LIBYAML = True
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    HAS_LIBYAML = False

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_VALUES = 20_000
MAX_INT_DIGITS = 1_000
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219)  # log2(10) bits a digit

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    _TAG + "str": "str",
    _TAG + "int": "int",
    _TAG + "float": "float",
    _TAG + "bool": "bool",
    _TAG + "null": "null",
    _TAG + "timestamp": "timestamp",
}
_ALLOWED_EXPLICIT = set(_SCALAR_TAGS) | {_TAG + "seq", _TAG + "map", "!"}


@dataclass(slots=True)
class Y:
    """A YAML value with the 1-based line it starts on.

    `kind` is one of `str int float bool null timestamp seq map`; `raw` is the
    scalar's text as written (None for collections); `value` is the Python
    value (`list[Y]` for sequences, `dict[str, Y]` for mappings).
    `key_lines` maps each key of a mapping to the line of the key.
    """

    kind: str
    value: Any
    line: int
    raw: str | None = None
    quoted: bool = False
    key_lines: dict[str, int] | None = None
    size: int = 1

    @property
    def text(self) -> str:
        """The scalar as written, whatever YAML thought its type was."""
        if self.raw is not None:
            return self.raw
        return str(self.value)

    def plain(self) -> Any:
        """The value as plain Python data (lists, dicts, scalars)."""
        if self.kind == "seq":
            return [item.plain() for item in self.value]
        if self.kind == "map":
            return {key: item.plain() for key, item in self.value.items()}
        return self.value


class YamlError(Exception):
    """The front matter cannot be loaded; `line` is relative to the YAML text."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_resolver = Resolver()
_constructor = SafeConstructor()


def _scalar_value(tag: str, value: str, line: int) -> tuple[str, Any]:
    kind = _SCALAR_TAGS.get(tag)
    if kind is None:
        raise YamlError(line, _bad_tag_message(tag))
    if kind == "str":
        return kind, value
    if kind == "timestamp":
        # Kept as text: the validator parses dates and datetimes strictly.
        return kind, value
    try:
        constructed = _constructor.yaml_constructors[tag](_constructor, ScalarNode(tag, value))
    except LookupError:  # `!!bool maybe` (a table lookup), `!!int ''` (an index)
        raise YamlError(line, f"`{value}` is not a valid {kind}") from None
    except (ValueError, yaml.YAMLError) as exc:
        raise YamlError(line, f"`{abbreviated(value)}` is not a valid {kind}: {exc}") from None
    if kind == "int" and constructed.bit_length() > _MAX_INT_BITS:
        # `0xfff...` or `59:59:...` (base 60) build integers Python cannot print (over 4,300
        # digits), which crashed the pages and exports that show them.
        raise YamlError(line, f"`{abbreviated(value)}` is a number of more than {MAX_INT_DIGITS:,} digits; write a real value")
    return kind, constructed


def abbreviated(value: str) -> str:
    """A scalar as a message quotes it: whole, or its start and its length when it is long."""
    return value if len(value) <= 40 else f"{value[:12]}... ({len(value):,} characters)"


def _bad_tag_message(tag: str) -> str:
    shown = tag.replace(_TAG, "!!")
    return (
        f"the YAML tag `{shown}` is not allowed: front matter holds plain data "
        "(strings, numbers, booleans, lists and mappings), so tags that build "
        "objects are refused, never run"
    )


_BRACKETS = re.compile(r"[\[\]{}]")


def _approx_depth_ok(text: str) -> int:
    """Cheap pre-scan for absurd flow nesting (`[[[[...`): returns the max depth."""
    depth = best = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > best:
                best = depth
        else:
            depth -= 1
    return best


def load(text: str) -> Y | None:
    """Load one YAML document into a `Y` tree. Returns None for an empty document.

    Raises `YamlError` with a line relative to `text` for anything refused.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlError(
            1,
            f"the front matter is larger than {MAX_BYTES // 1024} KB; it should hold "
            "a few dozen fields: move long text into the body",
        )
    # Flow nesting is never deeper than the number of brackets: scan only when it could be.
    if text.count("[") + text.count("{") > MAX_DEPTH * 4:
        if _approx_depth_ok(text) > MAX_DEPTH * 4:
            raise YamlError(1, f"the front matter nests deeper than {MAX_DEPTH} levels")

    loader = _Loader(text)
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or str(exc)
        context = f" ({exc.context})" if exc.context else ""
        if (
            exc.context
            and exc.context_mark is not None
            and exc.context_mark.line + 1 < line
            and ("flow" in exc.context or "quoted" in exc.context)
        ):
            # libyaml notices an unclosed `[`, `{` or quote only lines later: point at where it opened.
            line = exc.context_mark.line + 1
            context = f" ({exc.context} that starts on this line and is never closed properly)"
        hint = ""
        lines = text.splitlines()
        if 0 < line <= len(lines) and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]:
            hint = "; this line is indented with a tab: YAML allows only spaces for indentation"
        raise YamlError(line, f"invalid YAML: {problem}{context}{hint}") from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


_STR_TAG = _TAG + "str"
_implicit_resolvers = _resolver.yaml_implicit_resolvers
_plain_tags: dict[str, str] = {}  # plain scalar -> the tag of its implicit type
_PLAIN_CACHE_SIZE = 8192


def _plain_tag(value: str) -> str:
    """The tag YAML's implicit typing gives a plain scalar (cached: values repeat a lot)."""
    tag = _plain_tags.get(value)
    if tag is None:
        tag = _STR_TAG
        for candidate, regexp in _implicit_resolvers.get(value[:1] if value else "", ()):
            if regexp.match(value):
                tag = candidate
                break
        if len(_plain_tags) >= _PLAIN_CACHE_SIZE:
            _plain_tags.clear()
        _plain_tags[value] = tag
    return tag


def _build(loader: Any) -> Y | None:
    """The `Y` tree of the loader's one document, built from its events without recursion.

    This loop runs for every value of every file: the open collection's state
    is kept in local variables (the outer ones wait on `stack`), and a plain
    key is kept as text and line, without a node.
    """
    anchors: dict[str, Y] = {}
    stack: list[tuple[Any, ...]] = []  # the states of the enclosing collections
    root: Y | None = None
    total = 0
    documents = 0
    # The innermost open collection (node None: none is open, the next node is the root).
    node: Y | None = None
    is_seq = False
    items: Any = None  # node.value: the list or the dict to add to
    key_lines: dict[str, int] = {}
    pending: str | None = None  # a mapping's key waiting for its value
    key_line = 0
    anchor: str | None = None  # the collection's own anchor, registered when it ends
    size = 0  # the sum of its children's sizes

    get_event = loader.get_event
    plain_tags = _plain_tags
    str_tag = _STR_TAG
    timestamp_tag = _TAG + "timestamp"
    while True:
        event = get_event()
        if event is None:
            break
        mark = event.start_mark
        line = mark.line + 1 if mark is not None else 1
        kind_of_event = event.__class__
        if kind_of_event is ScalarEvent:  # the common case, kept fast
            tag = event.tag
            value = event.value
            if tag is None or tag == "!":
                if event.implicit[0]:
                    tag = plain_tags.get(value) or _plain_tag(value)
                else:
                    tag = str_tag
            elif tag not in _ALLOWED_EXPLICIT:
                raise YamlError(line, _bad_tag_message(tag))
            if tag is str_tag or tag == str_tag:
                kind, constructed = "str", value
            elif tag == timestamp_tag:
                kind, constructed = "timestamp", value  # kept as text, see _scalar_value
            else:
                kind, constructed = _scalar_value(tag, value, line)
            total += 1
            if node is not None and not is_seq and pending is None:  # a key
                pending = value if kind != "null" else ""
                key_line = line
                if event.anchor:
                    anchors[event.anchor] = Y(kind, constructed, line, value, event.style in ("'", '"'))
            else:
                # Attaching a value, written out here for scalars (most events) and
                # once more at the end of the loop for collections and aliases.
                scalar = Y(kind, constructed, line, value, event.style in ("'", '"'))
                if event.anchor:
                    anchors[event.anchor] = scalar
                if node is None:
                    root = scalar
                elif is_seq:
                    items.append(scalar)
                    size += 1
                else:
                    if pending in items:
                        raise _duplicate(pending, key_line, key_lines)
                    items[pending] = scalar
                    key_lines[pending] = key_line
                    pending = None
                    size += 1
            if total > MAX_VALUES:
                raise YamlError(line, f"the front matter holds more than {MAX_VALUES} values")
            continue
        if kind_of_event is MappingStartEvent or kind_of_event is SequenceStartEvent:
            if event.tag is not None and event.tag not in _ALLOWED_EXPLICIT:
                raise YamlError(line, _bad_tag_message(event.tag))
            if len(stack) >= MAX_DEPTH:
                raise YamlError(line, f"the front matter nests deeper than {MAX_DEPTH} levels")
            total += 1
            stack.append((node, is_seq, items, key_lines, pending, key_line, anchor, size))
            if kind_of_event is SequenceStartEvent:
                node = Y("seq", [], line)
                is_seq = True
            else:
                node = Y("map", {}, line, key_lines={})
                is_seq = False
                key_lines = node.key_lines  # type: ignore[assignment]
            items, pending, key_line, anchor, size = node.value, None, 0, event.anchor, 0
            if total > MAX_VALUES:
                raise YamlError(line, f"the front matter holds more than {MAX_VALUES} values")
            continue
        if kind_of_event is MappingEndEvent or kind_of_event is SequenceEndEvent:
            finished = node
            assert finished is not None
            if not is_seq and pending is not None:
                # A key without a value cannot happen in valid YAML; be safe.
                items[pending] = Y("null", None, key_line)
                size += 1
            finished.size = 1 + size
            if anchor:
                anchors[anchor] = finished
            node, is_seq, items, key_lines, pending, key_line, anchor, size = stack.pop()
        elif kind_of_event is AliasEvent:
            target = anchors.get(event.anchor)
            if target is None:
                raise YamlError(line, f"unknown alias `*{event.anchor}`")
            total += target.size
            if total > MAX_VALUES:
                raise YamlError(
                    line,
                    f"YAML aliases expand to more than {MAX_VALUES} values (an alias bomb?); "
                    "write the values out instead of using anchors",
                )
            finished = target
        else:
            if kind_of_event is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlError(line, "the front matter holds more than one YAML document")
            continue
        # A collection just ended, or an alias: attach it to the collection around it.
        if node is None:
            root = finished
        elif is_seq:
            items.append(finished)
            size += finished.size
        elif pending is None:  # as a key
            if finished.kind in ("seq", "map"):
                raise YamlError(finished.line, "a mapping key must be a plain value, not a list or mapping")
            pending = finished.text if finished.kind != "null" else ""
            key_line = finished.line
        else:
            if pending in items:
                raise _duplicate(pending, key_line, key_lines)
            items[pending] = finished
            key_lines[pending] = key_line
            pending = None
            size += finished.size
    return root


def _duplicate(key: str, line: int, key_lines: dict[str, int]) -> YamlError:
    return YamlError(line, f"duplicate key `{key}` (first defined on line {key_lines[key]}): keep one")


def node_kind(node: Any) -> str:  # pragma: no cover - helper for debugging
    return {ScalarNode: "scalar", SequenceNode: "seq", MappingNode: "map"}.get(type(node), "?")
