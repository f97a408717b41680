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
    except (ValueError, yaml.YAMLError) as exc:
        raise YamlError(line, f"`{value}` is not a valid {kind}: {exc}") from None
    return kind, constructed


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
    if "[" in text or "{" in text:
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


def _build(loader: Any) -> Y | None:
    anchors: dict[str, Y] = {}
    # Each stack entry: [container Y, pending key (for maps), anchor, key line]
    stack: list[list[Any]] = []
    root: Y | None = None
    total = 0
    documents = 0

    def attach(node: Y, anchor: str | None) -> None:
        nonlocal root
        if anchor:
            anchors[anchor] = node
        if not stack:
            root = node
            return
        frame = stack[-1]
        container: Y = frame[0]
        if container.kind == "seq":
            container.value.append(node)
        elif frame[1] is None:  # this node is a key
            if node.kind in ("seq", "map"):
                raise YamlError(node.line, "a mapping key must be a plain value, not a list or mapping")
            key = node.text if node.kind != "null" else ""
            frame[1] = key
            frame[3] = node.line
        else:
            key = frame[1]
            if key in container.value:
                first = container.key_lines[key]
                raise YamlError(
                    frame[3], f"duplicate key `{key}` (first defined on line {first}): keep one"
                )
            container.value[key] = node
            container.key_lines[key] = frame[3]
            frame[1] = None

    get_event = loader.get_event
    implicit_resolvers = _resolver.yaml_implicit_resolvers
    str_tag = _TAG + "str"
    while True:
        event = get_event()
        if event is None:
            break
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        kind_of_event = type(event)
        if kind_of_event is ScalarEvent:  # the common case, kept fast
            tag = event.tag
            value = event.value
            if tag is None or tag == "!":
                if event.implicit[0]:
                    # Plain scalar: the resolver's table, keyed by first character.
                    tag = str_tag
                    for candidate, regexp in implicit_resolvers.get(value[:1] if value else "", ()):
                        if regexp.match(value):
                            tag = candidate
                            break
                else:
                    tag = str_tag
            elif tag not in _ALLOWED_EXPLICIT:
                raise YamlError(line, _bad_tag_message(tag))
            if tag == str_tag:
                kind, constructed = "str", value
            else:
                kind, constructed = _scalar_value(tag, value, line)
            total += 1
            attach(Y(kind, constructed, line, value, event.style in ("'", '"')), event.anchor)
        elif kind_of_event is SequenceStartEvent or kind_of_event is MappingStartEvent:
            if event.tag is not None and event.tag not in _ALLOWED_EXPLICIT:
                raise YamlError(line, _bad_tag_message(event.tag))
            if len(stack) >= MAX_DEPTH:
                raise YamlError(line, f"the front matter nests deeper than {MAX_DEPTH} levels")
            total += 1
            if kind_of_event is SequenceStartEvent:
                node = Y("seq", [], line)
            else:
                node = Y("map", {}, line, key_lines={})
            stack.append([node, None, event.anchor, 0])
        elif kind_of_event is SequenceEndEvent or kind_of_event is MappingEndEvent:
            frame = stack.pop()
            node = frame[0]
            if node.kind == "map" and frame[1] is not None:
                # A key without a value cannot happen in valid YAML; be safe.
                node.value[frame[1]] = Y("null", None, frame[3])
            node.size = 1 + sum(child.size for child in node.value) if node.kind == "seq" else (
                1 + sum(child.size for child in node.value.values())
            )
            attach(node, frame[2])
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
            attach(target, None)
        elif kind_of_event.__name__ == "DocumentStartEvent":
            documents += 1
            if documents > 1:
                raise YamlError(line, "the front matter holds more than one YAML document")
        if total > MAX_VALUES:
            raise YamlError(line, f"the front matter holds more than {MAX_VALUES} values")
    return root


def node_kind(node: Any) -> str:  # pragma: no cover - helper for debugging
    return {ScalarNode: "scalar", SequenceNode: "seq", MappingNode: "map"}.get(type(node), "?")
