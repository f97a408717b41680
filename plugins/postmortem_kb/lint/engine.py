"""Runs the rule table over one document and reports findings.

Linting clean text must cost next to nothing (`postmortem check` reads every
file of the knowledge base), so a rule's regex is never run over the whole
text: its anchors are found with `bytes.find` in the text's shape, and the
regex is tried with `match` at those offsets only. Masking code, computing
front-matter ranges and the guards' look-arounds happen only for a candidate.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..core.findings import Level, Reporter
from ..core.frontmatter import suggest
from .guards import GUARDS, GuardContext
from .rules import ACTIONS, RAW, RULE_IDS, RULES, TEXT, Rule
from .text import Segment, front_matter_ranges, join_document, people_names, yaml_value_spans

DIRECTIVE = "postmortem-lint"
DIRECTIVE_BYTES = DIRECTIVE.encode("ascii")
_DIRECTIVE = re.compile(
    r"postmortem-lint:[ \t]*(?P<kind>disable-next-line|disable)"
    r"(?:[ \t]*=[ \t]*(?P<ids>[\w.*,\- \t]+?))?[ \t]*(?:-->|$)",
    re.MULTILINE,
)
# Something meant as a directive: `postmortem-lint disable=...` (no colon), `Postmortem-lint:
# Disable`, `postmortem-lint: disable=x: because...`. Reported when `_DIRECTIVE` does not read it.
# Compiled on first use (`re`'s cache), as only a document with a directive needs it.
_LOOSE_DIRECTIVE = r"(?im)postmortem-lint(?P<between>[^\w\n]{0,3}?)(?P<kind>disable-next-line|disable)\b[^\n]*?(?=-->|$)"
ALL = "*"
PLACEHOLDER = "template.placeholder"


# Bytes from rarest to most common in prose: an anchor without a whole word
# is only searched for when its rarest byte occurs at all (`in` on one byte
# is a memchr, many times faster than a multi-byte `find`).
_RARITY = b"{}@+<>|~^$#%&*=_()[]\\`/;!?'\",:.-0"


@dataclass(frozen=True, slots=True)
class Anchor:
    needle: bytes
    gate: tuple[bytes, ...]  # words the document must contain
    precheck: bytes  # one byte the document must contain ("" when gated)


@dataclass(frozen=True, slots=True)
class Compiled:
    rule: Rule
    regex: re.Pattern[str]
    anchors: tuple[Anchor, ...]
    back: frozenset[str]
    # Set when every anchor is gated: a document sharing none of these words is skipped.
    any_word: frozenset[bytes] | None
    requires: frozenset[bytes] | None


def _anchor(text: str, whole_words: bool) -> Anchor:
    needle = text.encode("ascii")
    pieces = re.findall(r"[a-z0]+(?=[^a-z0])", text)  # complete words inside the anchor
    trailing = re.search(r"[a-z0]+$", text)
    if whole_words and trailing:
        pieces.append(trailing.group(0))
    gate = tuple(p.encode("ascii") for p in pieces)
    precheck = b""
    if not gate:
        rare = [b for b in _RARITY if b in needle]
        precheck = bytes([rare[0]]) if rare else b""
    return Anchor(needle, gate, precheck)


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(p == ALL or p == rule_id or fnmatch.fnmatchcase(rule_id, p) for p in patterns)


@lru_cache(maxsize=32)
def active_rules(disabled: tuple[str, ...] = ()) -> tuple[Compiled, ...]:
    """The compiled rows not switched off by the site (`disabled_rules`, globs allowed)."""
    compiled = []
    for rule in RULES:
        if _matches(rule.id, disabled):
            continue
        anchors = tuple(_anchor(a, rule.whole_words) for a in rule.anchors)
        gated = all(a.gate for a in anchors)
        any_word = frozenset(w for a in anchors for w in a.gate) if gated else None
        requires = frozenset(w.encode("ascii") for w in rule.requires) or None
        compiled.append(Compiled(rule, rule.compile(), anchors, frozenset(rule.back), any_word, requires))
    return tuple(compiled)


@lru_cache(maxsize=32)
def _vocabulary(disabled: tuple[str, ...] = ()) -> frozenset[bytes]:
    """Every word the gates of the active rules ask about: the only words of a document worth collecting."""
    words: set[bytes] = set()
    for compiled in active_rules(disabled):
        for anchor in compiled.anchors:
            words.update(anchor.gate)
        words.update(compiled.requires or ())
    return frozenset(words)


def unknown_rule_ids(ids: Iterable[str]) -> list[str]:
    """Entries of `disabled_rules` (or of a directive) that name no rule."""
    return [i for i in ids if i != ALL and not any(_matches(r, [i]) for r in RULE_IDS)]


def suggest_rule(unknown: str) -> str:
    """` (did you mean `x`?)` for an id that names no rule: a family (`blameless` is `blameless.*`)
    or the nearest id; the empty string when nothing is close."""
    families = tuple(dict.fromkeys(rule_id.split(".", 1)[0] for rule_id in RULE_IDS))
    family = unknown.rstrip(".*").casefold()
    if "." not in family:
        close = difflib.get_close_matches(family, families, n=1, cutoff=0.8)
        if close:
            return f" (did you mean `{close[0]}.*`?)"
    return suggest(unknown, RULE_IDS)


def shown(text: str, column: int, secret: bool) -> str:
    """The span as a message shows it; a secret shows enough to find it, never to use it."""
    if not secret:
        if len(text) > 60:  # a long placeholder: enough to recognise it
            text = text[:56].rstrip() + " …" + text[-2:]
        return f'"{text}" (column {column})'
    if "@" in text and " " not in text:  # e-mail: the domain says whose, the rest stays out
        local, _, domain = text.rpartition("@")
        return f'"{local[:1]}…@{domain}" (column {column})'
    return f'"{text[:4].rstrip()}…" ({len(text)} characters, column {column})'


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` sorted, overlapping ones joined: each offset is then in at most one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class _Directives:
    """Inline `postmortem-lint: disable[=ids]` comments, by file line."""

    def __init__(self, segment: Segment) -> None:
        self.by_line: dict[int, set[str]] = {}
        self.problems: list[tuple[int, str]] = []
        self.unread: list[tuple[int, str, str]] = []  # (line, as written, why it is not read)
        # Where directives are written: their own text (`disable=blameless.root-cause`) is not
        # prose to lint (secrets and personal data are still looked for there).
        self.spans: list[tuple[int, int]] = []
        self._starts: list[int] = []  # the spans' starts, for `covers`
        if DIRECTIVE_BYTES in segment.shape:
            text = segment.text
            read: set[int] = set()
            for match in _DIRECTIVE.finditer(text):
                read.add(match.start())
                self.spans.append(match.span())
                line, _ = segment.position(match.start())
                if match.group("kind") == "disable-next-line":
                    line += 1
                raw = match.group("ids")
                ids = {i for i in re.split(r"[,\s]+", raw) if i} if raw else {ALL}
                self.problems.extend((line, unknown) for unknown in unknown_rule_ids(sorted(ids)))
                self.by_line.setdefault(line, set()).update(ids)
            for match in re.finditer(_LOOSE_DIRECTIVE, text):
                if match.start() in read:
                    continue
                self.spans.append(match.span())
                line, _ = segment.position(match.start())
                written = " ".join(match.group(0).split())
                after = text[match.end("kind") : match.end()].rstrip()
                fixed = f"postmortem-lint: {match.group('kind').lower()}{after}"
                if match.group("between").rstrip(" \t") != ":":
                    why = f"a directive starts with `postmortem-lint:`, the colon right after it: write `{fixed}`"
                elif not match.group(0).startswith("postmortem-lint") or not match.group("kind").islower():
                    why = f"directives are lowercase: write `{fixed}`"
                else:
                    why = (
                        "after `disable=` (or `disable-next-line=`) come only rule ids, separated by commas, "
                        "then the end of the comment"
                    )
                self.unread.append((line, written, why))
            self.spans = _merged(self.spans)
            self._starts = [start for start, _ in self.spans]

    def covers(self, offset: int) -> bool:
        """True when `offset` is inside a directive's text: a binary search of the sorted,
        disjoint spans (a generated file may hold thousands of directives)."""
        index = bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self.spans[index][1]

    def disabled(self, rule_id: str, first: int, last: int) -> bool:
        if not self.by_line:
            return False
        for line in range(first, last + 1):
            ids = self.by_line.get(line)
            if ids and _matches(rule_id, ids):
                return True
        return False


class _Document:
    """One document and the lazily computed views the scopes need."""

    def __init__(self, segment: Segment, root: Any, yaml_lines: int) -> None:
        self.segment = segment
        self._root = root
        self.yaml_lines = yaml_lines
        self._ranges: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None
        self._guard_context: GuardContext | None = None
        self._values: tuple[list[int], list[tuple[int, int]]] | None = None

    @property
    def root(self) -> Any:
        """The loaded front matter; `root` may be a function that loads it, called once if needed."""
        if callable(self._root):
            self._root = self._root()
        return self._root

    def ranges(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        if self._ranges is None:
            self._ranges = front_matter_ranges(self.root, self.yaml_lines, self.segment.first_line - 1)
        return self._ranges

    def guard_context(self) -> GuardContext:
        if self._guard_context is None:
            # The whole text: `services: [kafka-broker]` shows that "Kafka" is a thing, not a name.
            self._guard_context = GuardContext(people_names(self.root), self.segment.text)
        return self._guard_context

    def windows(self, scope: str) -> list[tuple[int, int]]:
        """Where to look for anchors at all: for `actions`, the front matter and the section."""
        segment = self.segment
        if scope != ACTIONS:
            return [(0, len(segment.text))]
        # The whole front matter (a match there is checked against the action titles, which
        # needs the YAML: only then) and the body's Action Items section.
        windows = [(0, segment.body_start)] if segment.body_start else []
        low, high = segment.action_section()
        return windows + ([(low, high)] if high > low else [])

    def in_yaml_value(self, start: int) -> bool:
        """Whether front-matter offset `start` is inside a value (or key), not in a YAML comment;
        True when the front matter does not load (then nothing can be told apart: in
        `region: {{ region }}` the braces are YAML syntax, yet they are the placeholder)."""
        if self._values is None:
            whole = [(0, self.segment.body_start)]
            spans = (yaml_value_spans(self.segment.text[: self.segment.body_start]) if self.root is not None else None)
            spans = spans or whole
            self._values = ([first for first, _ in spans], spans)
        starts, spans = self._values
        index = bisect_right(starts, start) - 1
        return index >= 0 and start < spans[index][1]

    def accepts(self, scope: str, start: int, line: int) -> bool:
        """Whether a candidate at `start` (file line `line`) is in the rule's scope."""
        segment = self.segment
        if scope == RAW:
            return True
        if start >= segment.body_start:
            return not segment.in_code(start)  # `actions` windows hold only the section here
        if scope != TEXT:
            prose, actions = self.ranges()
            wanted = actions if scope == ACTIONS else prose + actions
            if not any(first <= line <= last for first, last in wanted):
                return False
        # A YAML comment is not prose, as an HTML comment of the body is not (secrets are `raw`).
        return self.in_yaml_value(start)


def lint_parts(
    report: Reporter,
    *,
    front_matter: str,
    front_matter_line: int,
    body: str,
    body_line: int,
    root: Any,
    disabled: tuple[str, ...] = (),
) -> None:
    """Lint one document given as front matter and body; findings go to `report`.

    `root` is the front matter as loaded by `core.yamlnodes.load` (a `Y` map),
    None, or a function returning it: most documents never need it.
    """
    disabled = tuple(disabled)
    rules = active_rules(disabled)
    if not rules:
        return
    vocabulary = _vocabulary(disabled)
    segment = join_document(front_matter, front_matter_line, body, body_line)
    document = _Document(segment, root, segment.body_start and front_matter.count("\n") + 1)
    directives = _Directives(segment)
    seen: set[tuple[str, int, int]] = set()
    secret_spans: list[tuple[int, int, int]] = []  # (line, first column, last column)
    placeholders: dict[int, list[tuple[Rule, str, int]]] = {}  # by line: reported as one finding

    # Plain loops rather than helpers: this runs for every file of every check.
    text, shape, words = segment.text, segment.shape, segment.words_among(vocabulary)
    whole = [(0, len(text))]
    for compiled in rules:
        if compiled.any_word is not None and words.isdisjoint(compiled.any_word):
            continue
        if compiled.requires is not None and words.isdisjoint(compiled.requires):
            continue
        rule = compiled.rule
        tried: set[int] = set()
        for lo, hi in whole if rule.scope != ACTIONS else document.windows(ACTIONS):
            for anchor in compiled.anchors:
                gate = anchor.gate
                if gate:
                    if gate[0] not in words or (len(gate) > 1 and not words.issuperset(gate)):
                        continue
                elif anchor.precheck and anchor.precheck not in shape:
                    continue
                position = shape.find(anchor.needle, lo, hi)
                while position != -1:
                    start = position
                    if compiled.back:
                        while start > 0 and text[start - 1] in compiled.back:
                            start -= 1
                    position = shape.find(anchor.needle, position + 1, hi)
                    if start in tried:
                        continue
                    tried.add(start)
                    match = compiled.regex.match(text, start)
                    if match is not None:
                        _consider(document, rule, match, directives, seen, secret_spans, report, placeholders)

    for line, found in placeholders.items():
        _report_placeholders(report, line, found)
    for line, unknown in directives.problems:
        report.warning(
            line,
            "lint.unknown-rule",
            f"lint.unknown-rule: `{unknown}` in a `postmortem-lint: disable` comment is not a rule"
            f"{suggest_rule(unknown)}; `postmortem lint --list-rules` lists them",
        )
    for line, written, why in directives.unread:
        report.warning(
            line,
            "lint.directive",
            f"lint.directive: `{written}` is not read as a directive, so it disables nothing; {why}",
        )


def _consider(
    document: _Document,
    rule: Rule,
    match: re.Match[str],
    directives: _Directives,
    seen: set[tuple[str, int, int]],
    secret_spans: list[tuple[int, int, int]],
    report: Reporter,
    placeholders: dict[int, list[tuple[Rule, str, int]]],
) -> None:
    """Report one regex match unless its scope, guard, a directive or a duplicate rules it out."""
    segment = document.segment
    group = rule.group if rule.group and match.group(rule.group) is not None else 0
    span_start, span_end = match.span(group)
    if directives.spans and rule.scope != RAW and directives.covers(span_start):
        return  # a directive's own words; a secret is reported wherever it is
    line, column = segment.position(span_start)
    if not document.accepts(rule.scope, span_start, line):
        return
    if rule.guard is not None and not GUARDS[rule.guard](match, segment.text, document.guard_context()):
        return
    last_line, last_column = segment.position(max(span_start, span_end - 1))
    key = (rule.id, line, column)
    if key in seen or directives.disabled(rule.id, line, last_line):
        return
    if rule.scope == RAW:
        # One finding per secret: `Bearer eyJ...` is a JWT, not two problems.
        if any(ln == line and c0 <= last_column and column <= c1 for ln, c0, c1 in secret_spans):
            return
        secret_spans.append((line, column, last_column))
    seen.add(key)
    if rule.id == PLACEHOLDER:
        placeholders.setdefault(line, []).append((rule, match.group(group), column))
        return
    _report(report, rule, match.group(group), line, column)


def _report_placeholders(report: Reporter, line: int, found: list[tuple[Rule, str, int]]) -> None:
    """The placeholders of one line as one finding: `- {{ HH:MM }} [action] {{ what }}` is one thing to fill in."""
    rule, span, column = found[0]
    if len(found) == 1:
        _report(report, rule, span, line, column)
        return
    spans = [shown(" ".join(text.split()), where, False) for _, text, where in found]
    listed = ", ".join(spans[:-1]) + " and " + spans[-1]
    report.error(
        line,
        rule.id,
        f"{rule.id}: {listed} are placeholders from the template; replace them with the real content "
        "(or delete the optional line they are on)",
        column,
    )


def _report(report: Reporter, rule: Rule, span: str, line: int, column: int) -> None:
    span = " ".join(span.split())  # a phrase wrapped over two lines reads as one
    message = f"{rule.id}: {rule.message.format(text=shown(span, column, rule.redact))}; {rule.suggestion}"
    if rule.level is Level.ERROR:
        report.error(line, rule.id, message, column)
    else:
        report.warning(line, rule.id, message, column)
