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
import unicodedata
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
from yaml.tokens import ScalarToken

from .schema import ACTION_ITEM_FIELDS, FACTOR_FIELDS, FIELDS, IMPACT_FIELDS

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


@dataclass(slots=True)
class Document(Y):
    """The front matter's root mapping, as `load` returns it, with its text.

    Kept on the root only (one object a file, none a value): `source` is the
    YAML text, for messages that show a column; `comments` are the plain
    values a YAML comment cut short, as (line, label, value, comment), the
    comment starting right after its `#` (`title: Checkout #2 after push`).
    """

    source: str = ""
    comments: tuple[tuple[int, str, str, str], ...] = ()


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
        root = _build(loader)
    except yaml.MarkedYAMLError as exc:
        line, message = _syntax_error(text, exc)
        raise YamlError(line, message) from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if root is None or root.kind != "map":
        return root
    # A comment is looked for only when a `#` follows a space and precedes a non-space
    # somewhere in the text (one C search; most front matters have no `#` at all).
    comments = _cut_comments(text) if "#" in text and _COMMENT_GATE.search(text) else ()
    return Document(root.kind, root.value, root.line, None, False, root.key_lines, root.size, text, comments)


# A `#` after a space, followed by a character other than a space or another `#`:
# `#2`, `#incident`. `# like this` and `## section` are comments written as comments.
_COMMENT_GATE = re.compile(r"[ \t]#[^\s#]")
_COMMENT_AFTER = re.compile(r"[ \t]+(#[^\s#].*)")


def _cut_comments(text: str) -> tuple[tuple[int, str, str, str], ...]:
    """The plain values followed on their line by a comment that starts right after its `#`.

    A second pass over the events, run only for texts that hold such a `#`: the
    first one (`_build`) stays as fast as it was. Each value is named as the
    validator names it (`action_items[1].title`, `tags[2]`).
    """
    lines = text.splitlines()  # as libyaml counts lines (U+2028 is a break too)
    found: list[tuple[int, str, str, str]] = []
    # One frame an open collection: [is_mapping, next_is_key, key or item count, label].
    stack: list[list[Any]] = []
    loader = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            if event is None:
                break
            kind_of_event = event.__class__
            if kind_of_event is MappingEndEvent or kind_of_event is SequenceEndEvent:
                stack.pop()
                continue
            if kind_of_event not in (ScalarEvent, MappingStartEvent, SequenceStartEvent, AliasEvent):
                continue
            is_key = False
            label = ""
            if stack:
                frame = stack[-1]
                if frame[0]:
                    is_key = frame[1]
                    if is_key:
                        frame[2] = event.value if kind_of_event is ScalarEvent else "?"
                    else:
                        label = f"{frame[3]}.{frame[2]}" if frame[3] else str(frame[2])
                    frame[1] = not is_key
                else:
                    frame[2] += 1
                    label = f"{frame[3]}[{frame[2]}]"
            if kind_of_event is MappingStartEvent:
                stack.append([True, True, "", label])
            elif kind_of_event is SequenceStartEvent:
                stack.append([False, False, 0, label])
            elif kind_of_event is ScalarEvent and not is_key and not event.style:  # plain: '' (C) or None
                end = event.end_mark
                if end is None or end.line >= len(lines):
                    continue
                match = _COMMENT_AFTER.match(lines[end.line], end.column)
                if match:
                    found.append((end.line + 1, label, event.value, match.group(1).rstrip()))
    except yaml.YAMLError:  # pragma: no cover - the text loaded once already
        return ()
    finally:
        loader.dispose()
    return tuple(found)


# Characters that look like a space, a hyphen or nothing at all: Unicode spaces, dashes,
# the minus sign, zero-width and other format characters. The direction controls have a
# message of their own (frontmatter.bidi), and the C0/C1 controls are refused on reading.
LOOKALIKES = re.compile(
    "[\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u2015\u2028\u2029\u202f"
    "\u205f-\u2064\u206a-\u206f\u2212\u3000\u3164\ufe58\ufe63\uff0d\ufeff\uffa0]"
)


def char_name(char: str) -> str:
    """`U+00A0 NO-BREAK SPACE`."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def lookalike_fix(char: str) -> str:
    """What to type instead of a character that only looks like ASCII."""
    if char in "\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d":
        return "type a plain `-`" if char != "\u00ad" else "remove it"
    if unicodedata.category(char) == "Zs" or char in "\u115f\u1160\u3164\uffa0":
        return "type a plain space"
    return "remove it"


def _syntax_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line and the message of a YAML syntax error: libyaml's words, the line the
    problem is really on, and, for the mistakes authors make most, what to write instead."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = exc.problem or str(exc)
    context = f" ({exc.context})" if exc.context else ""
    lines = text.splitlines()  # as libyaml counts lines (U+2028 is a break too)
    unclosed = None
    if exc.context_mark is not None and exc.context and "flow" in exc.context:
        unclosed = _unclosed_flow(lines, exc.context_mark.line, exc.context_mark.column)
    if unclosed is not None:
        # `services: [a, b` never closed: libyaml stops at the line after it, where the list
        # runs into the next key. Say what is missing, at the line of the `[` (which is not
        # text to quote: that only turns the list into a string).
        line = exc.context_mark.line + 1
    elif (
        exc.context
        and exc.context_mark is not None
        and exc.context_mark.line + 1 < line
        and ("flow" in exc.context or "quoted" in exc.context)
    ):
        # libyaml notices an unclosed `[`, `{` or quote only lines later: point at where it opened.
        line = exc.context_mark.line + 1
        context = f" ({exc.context} that starts on this line and is never closed properly)"
    else:
        # A quote left open that a quote lines further down closed (`title: 'Checkout`, then
        # `owner: Priya's team`): libyaml's context is then the mapping around it, not the
        # quoted value, so the branch above cannot point at it.
        run_on = _quote_run_on(text, lines, exc.problem_mark) if exc.problem_mark is not None else None
        if run_on is not None:
            return run_on[0] + 1, f"invalid YAML: {problem} (further down): {run_on[1]}"
        if (
            problem == "could not find expected ':'"
            and exc.context_mark is not None
            and exc.context_mark.line + 1 < line
        ):
            # A line that is not `key: value` is noticed at the next line; the text that should
            # have been a key starts where the context mark is (`severity:\u00a0SEV2`, `-item`).
            line = exc.context_mark.line + 1
    body = _body_read_as_yaml(lines, line)
    if body is not None:
        heading_line, heading = body
        return heading_line, (
            f"invalid YAML: {problem} (further down): the front matter has no closing `---` before "
            f"the Markdown body, so the body, from this line (`{heading}`), is read as YAML; "
            "add a `---` line before this heading"
        )
    hints = _line_hints(lines, line, problem, exc, unclosed)
    if not hints and unclosed is None and line > 1 and _lookalike_hint(lines[line - 2]):
        # The odd character is on the line above: libyaml only noticed it here.
        line -= 1
        hints = _line_hints(lines, line, problem, exc)
    hint = "".join(f"; {h}" for h in hints)
    return line, f"invalid YAML: {problem}{context}{hint}"


_HEADING = re.compile(r"#{1,6}[ \t]+\S")
_KEY_LINE = re.compile(r"[ \t]*(?:-[ \t]+)?[^\s:#][^:#]*:(?:[ \t]|$)")


def _body_read_as_yaml(lines: list[str], line: int) -> tuple[int, str] | None:
    """(line, heading) of the first Markdown heading above an error, when the front matter
    runs on into the body: its closing `---` is missing and a `---` further down (a thematic
    break) closed it instead. Headings are YAML comments, so only the prose errs."""
    if not 0 < line <= len(lines) or _KEY_LINE.match(lines[line - 1]):
        return None  # the error is on a `key: value` line: a front-matter mistake
    for index in range(line - 1):
        # A heading as Markdown writes it, a blank line around it (a YAML comment is rarely so).
        if (
            _HEADING.match(lines[index])
            and (index == 0 or not lines[index - 1].strip())
            and (index + 1 == len(lines) or not lines[index + 1].strip())
        ):
            return index + 1, lines[index].strip()[:60]
    return None


def _lookalike_hint(text: str) -> str:
    """`this line contains U+00A0 NO-BREAK SPACE at column 10: type a plain space`, or ''."""
    match = LOOKALIKES.search(text) if not text.isascii() else None
    if match is None:
        return ""
    char = match.group()
    return f"this line contains {char_name(char)} at column {match.start() + 1}: {lookalike_fix(char)}"


_VALUE_LINE = re.compile(r"([ \t]*(?:-[ \t]+)?)([^\s:#'\"\[\]{}][^:#]*?):[ \t]+(\S.*?)[ \t]*$")
_NO_SPACE = re.compile(r"[ \t]*(?:-[ \t]+)?([A-Za-z_][\w.-]*):([^\s:/].*?)[ \t]*$")
# A list entry without a space after its dash: `  -catalog-db` (frontmatter.py uses it too).
DASH_ITEM = re.compile(r"([ \t]*)-([^\s-].*?)[ \t]*\Z")


def _quoted(value: str) -> str:
    """`value` as a YAML double-quoted string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _single_quoted(value: str) -> str:
    """`value` as a YAML single-quoted string."""
    return "'" + value.replace("'", "''") + "'"


def _line_hints(
    lines: list[str], line: int, problem: str, exc: yaml.MarkedYAMLError, unclosed: str | None = None
) -> list[str]:
    """What to write instead, for the common mistakes on the line of a syntax error.
    `unclosed`: the brackets a flow list or mapping opened on the line lacks (`]`, `}]`)."""
    if not 0 < line <= len(lines):
        return []
    source = lines[line - 1]
    hints: list[str] = []
    entry = _VALUE_LINE.match(source)
    if unclosed is not None and not (entry is not None and entry.group(2) in _TEXT_KEYS):
        hints.append(_unclosed_flow_hint(lines, line, unclosed))
    lookalike = _lookalike_hint(source)
    if lookalike:
        hints.append(lookalike)
    indent = source[: len(source) - len(source.lstrip())]
    if "\t" in indent:
        hints.append("this line is indented with a tab: YAML allows only spaces for indentation")
    if entry is not None:
        lead, key, value = entry.groups()
        item = "- " if lead.strip() else ""  # an entry of a list of mappings: `- title: ...`

        def written(quoted: str) -> str:
            shown = f"{item}{key}: {quoted}"
            return f"`` {shown} ``" if "`" in shown else f"`{shown}`"  # backticks quote backticks

        start = value[0]
        if unclosed is not None:
            if key in _TEXT_KEYS:  # `title: [SEV2 Checkout latency`: text, not a list left open
                kind = "list" if start == "[" else "mapping"
                hints.append(
                    f"the {kind} opened with `{start}` on this line is never closed, and `{key}` is "
                    f"text: if the `{start}` is part of it, put the whole value in quotes, "
                    f"{written(_quoted(value))}"
                )
        elif start in "[{" and _text_after_flow(value):
            kind = "a list" if start == "[" else "a mapping"
            hints.append(
                f"a value that starts with `{start}` is read as {kind}: if the `{start}` is part of "
                f"the text, put the whole value in quotes, {written(_quoted(value))}"
            )
        elif start in "'\"" and _never_closed(value, start):
            # `title: 'Checkout latency` (the stream ended inside the quotes).
            hints.append(
                f"the `{start}` that opens this value is never closed: add `{start}` at its end, "
                f"{written(value + start)}"
            )
        elif start in "'\"" and _closes_early(value, start):
            inner = value[1:-1] if len(value) > 1 and value.endswith(start) else value[1:]
            if start == "'":
                inner = inner.replace("''", "'")
                hints.append(
                    "a `'` inside a value in single quotes ends it: write it twice, "
                    f"{written(_single_quoted(inner))}, or put the value in double quotes, "
                    f"{written(_quoted(inner))}"
                )
            else:
                inner = inner.replace('\\"', '"')
                hints.append(
                    'a `"` inside a value in double quotes ends it: write it as `\\"`, '
                    f"{written(_quoted(inner))}, or put the value in single quotes, "
                    f"{written(_single_quoted(inner))}"
                )
        elif problem.startswith("mapping values are not allowed") and ": " in value:
            hints.append(f"a value that contains `: ` must be in quotes: {written(_quoted(value))}")
        elif start in "*&" and ("alias" in str(exc.context) or "anchor" in str(exc.context)):
            what = "an alias (`*name`)" if start == "*" else "an anchor (`&name`)"
            hints.append(
                f"a value that starts with `{start}` is read as {what}: put the value in quotes, "
                f"{written(_quoted(value))}"
            )
        elif problem.startswith("found character that cannot start any token") and start in "@`%":
            what = {"@": "`@`", "`": "a backtick (`` ` ``)", "%": "`%`"}[start]
            hints.append(
                f"YAML reserves {what} at the start of a value: put the value in quotes, "
                f"{written(_quoted(value))}"
            )
    if problem == "could not find expected ':'":
        dash = DASH_ITEM.match(source)
        no_space = _NO_SPACE.match(source)
        if dash is not None:
            hints.append(f"a list entry needs a space after its `-`: `{dash.group(1)}- {dash.group(2)}`")
        elif no_space is not None and not lookalike:
            hints.append(
                f"put a space after the `:` of a key: `{no_space.group(1)}: {no_space.group(2)}`"
            )
        elif not lookalike:
            hints.append(
                "each line of the front matter is a `key: value` (a space after the colon), "
                "a `- ` list entry, or the continuation of the value above it"
            )
    return hints


# Keys whose values are free text (`title: [SEV2 Checkout` is text, not a list left open).
_TEXT_KEYS = frozenset(
    spec.name
    for fields in (FIELDS, IMPACT_FIELDS, FACTOR_FIELDS, ACTION_ITEM_FIELDS)
    for spec in fields.values()
    if spec.type == "string"
)
_CLOSER = {"[": "]", "{": "}"}
_OPENER = {"]": "[", "}": "{"}


def _unclosed_flow(lines: list[str], row: int, column: int) -> str | None:
    """The closing brackets (`]`, `}]`) that a flow list or mapping opened on line `row`
    (0-based) lacks in the whole text, or None when it is closed somewhere. The scan starts
    at the line's first `[` or `{` (libyaml's mark is the innermost collection) and skips
    quoted text and comments. Read only on a syntax error."""
    if not 0 <= row < len(lines):
        return None
    text = lines[row]
    starts = [i for i in (text.find("["), text.find("{")) if i != -1]
    if not starts:
        return None
    first = min(starts)
    if column < first:
        return None
    stack: list[tuple[str, int]] = []
    quote = ""
    for at in range(row, len(lines)):
        text = lines[at]
        index = first if at == row else 0
        previous = " "
        while index < len(text):
            char = text[index]
            if quote:
                if char == quote:
                    if quote == "'" and text[index + 1 : index + 2] == "'":
                        index += 2
                        continue
                    quote = ""
                elif quote == '"' and char == "\\":
                    index += 1
            elif char in "[{":
                stack.append((char, at))
            elif char in "]}":
                if stack:
                    stack.pop()
                if not stack:
                    return None  # closed (by this bracket, or a stray one)
            elif char in "'\"" and previous in " \t[{,:":
                quote = char
            elif char == "#" and previous in " \t":
                break  # a comment, to the end of the line
            previous = char
            index += 1
    opened = [bracket for bracket, at in stack if at == row]
    if not opened:
        return None
    return "".join(_CLOSER[bracket] for bracket in reversed(opened))


def _unclosed_flow_hint(lines: list[str], line: int, closers: str) -> str:
    """`the list opened with `[` on this line is never closed: add `]`, `services: [a, b]``,
    the corrected line shown when the list is all on its line (the next line is a key or an
    entry of the same level, not more of the list)."""
    source = lines[line - 1]
    opened = [_OPENER[c] for c in reversed(closers)]
    if len(opened) == 1:
        kind = "list" if opened[0] == "[" else "mapping"
        what = f"the {kind} opened with `{opened[0]}` on this line is never closed"
    else:
        what = f"the {' and '.join(f'`{o}`' for o in opened)} opened on this line are never closed"
    indent = len(source) - len(source.lstrip())
    following = next((t for t in lines[line:] if t.strip() and not t.lstrip().startswith("#")), None)
    one_line = following is None or (
        len(following) - len(following.lstrip()) <= indent
        and (_KEY_LINE.match(following) is not None or following.lstrip().startswith("- "))
    )
    if not one_line:
        return f"{what}: add `{closers}` after its last entry"
    comment = re.search(r"[ \t]+#", source)  # the `]` goes before a comment after the list
    fixed = (source[: comment.start()] if comment else source).strip() + closers
    shown = f"`` {fixed} ``" if "`" in fixed else f"`{fixed}`"
    return f"{what}: add `{closers}`, {shown}"


def _quote_run_on(text: str, lines: list[str], problem: Any) -> tuple[int, str] | None:
    """(line, hint) for a quoted value left open that the next quote, lines further down,
    closed: `title: 'Checkout latency` runs on to the `'` of `owner: Priya's team`, where
    libyaml fails, far below the mistake. Found among the tokens before the error: a quoted
    value spanning lines that swallowed keys of its own level. Read only on a syntax error."""
    limit = (problem.line, problem.column)
    found = None
    loader = _Loader(text)
    try:
        while True:
            token = loader.get_token()
            if token is None:
                break
            start = token.start_mark
            if (start.line, start.column) >= limit:
                break
            if token.__class__ is ScalarToken and token.style in ("'", '"') and token.end_mark.line > start.line:
                found = token
    except yaml.YAMLError:
        pass  # the scanner's own error: the tokens before it are what counts
    finally:
        loader.dispose()
    if found is None:
        return None
    opened, closed = found.start_mark.line, found.end_mark.line
    if problem.line - closed > 1 or not 0 <= opened < closed < len(lines):
        return None
    source = lines[opened]
    indent = len(source) - len(source.lstrip())
    if not any(
        _KEY_LINE.match(other) and len(other) - len(other.lstrip()) <= indent
        for other in lines[opened + 1 : closed + 1]
    ):
        return None  # a value written over several lines on purpose: it swallowed no key
    quote = found.style
    fixed = source.strip() + quote
    shown = f"`` {fixed} ``" if "`" in fixed else f"`{fixed}`"
    closing = lines[closed].strip()
    closing_shown = f"`` {closing} ``" if "`" in closing else f"`{closing}`"
    count = closed - opened
    return opened, (
        f"the `{quote}` that opens the value on this line is never closed, so YAML reads on to the "
        f"next `{quote}`, {count} line{'s' if count != 1 else ''} down ({closing_shown}); "
        f"close the value on this line: {shown}"
    )


def _never_closed(value: str, quote: str) -> bool:
    """Whether a quoted value is left open with no other quote in it (`'Checkout latency`)."""
    rest = value[1:].replace("''", "") if quote == "'" else value[1:].replace('\\"', "")
    return quote not in rest


def _text_after_flow(value: str) -> bool:
    """Whether a value starting with `[` or `{` is text rather than a list or mapping: its
    brackets are never closed (`[unclosed`), or words follow them (`[SEV2] Checkout`)."""
    depth = 0
    for index, char in enumerate(value):
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                rest = value[index + 1 :].lstrip()
                return bool(rest) and rest[0] not in "]},#"
    return True


def _closes_early(value: str, quote: str) -> bool:
    """Whether a quoted value closes before its end: text follows its closing quote."""
    index = 1
    while index < len(value):
        if value[index] == quote:
            if quote == "'" and value[index + 1 : index + 2] == "'":
                index += 2  # `''` is a quote inside single quotes
                continue
            rest = value[index + 1 :].strip()
            return bool(rest) and not rest.startswith("#")
        if quote == '"' and value[index] == "\\":
            index += 1
        index += 1
    return True  # never closed: a quote in the text, or one missing at the end


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
                raise YamlError(
                    line,
                    f"unknown alias `*{event.anchor}`; a value starting with `*` is a YAML alias: "
                    "if the `*` is part of the text, put the value in quotes",
                )
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
    # Said relative to this line: the YAML's own line numbers are not the file's (the
    # front matter starts on line 2), and this module does not know the offset.
    above = line - key_lines[key]
    where = f"{above} line{'s' if above != 1 else ''} above" if above > 0 else "on this line"
    return YamlError(line, f"duplicate key `{key}` (first defined {where}): keep one")


def node_kind(node: Any) -> str:  # pragma: no cover - helper for debugging
    return {ScalarNode: "scalar", SequenceNode: "seq", MappingNode: "map"}.get(type(node), "?")
